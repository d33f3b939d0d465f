import Foundation
import XCTest
@testable import Host
@testable import CloudStorage
@testable import Crypto

final class CloudStorageMetadataTests: XCTestCase {
    func testImageMetadataHeadersHaveExactlyTheAllowedFieldsAndNoPrompt() throws {
        let digest = SHA256Digest.of(Data("pixels".utf8))
        let image = ImageObjectMetadata(imageID: "img-1", category: "café", model: "flux", cost: Decimal(string: "0.04"),
                                        contentSHA256: digest, createdAt: Date(timeIntervalSince1970: 1_764_000_000))
        let metadata = try image.objectMetadata()
        XCTAssertEqual(metadata.headers.map(\.name), [
            "x-amz-meta-category", "x-amz-meta-content-sha256", "x-amz-meta-cost", "x-amz-meta-created-at",
            "x-amz-meta-image-id", "x-amz-meta-model",
        ])
        XCTAssertEqual(metadata.values["created-at"], "2025-11-24T16:00:00Z")
        XCTAssertEqual(metadata.values["content-sha256"], digest.hex)
        // Non-ASCII is percent-encoded on the wire and decoded on read.
        XCTAssertEqual(metadata.values["category"], "caf%C3%A9")
        XCTAssertEqual(metadata["category"], "café")
        XCTAssertTrue(metadata.headers.allSatisfy { $0.value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } })
    }

    func testUnknownCostIsOmittedNotZero() throws {
        let image = ImageObjectMetadata(imageID: "i", category: "c", model: "m", cost: nil,
                                        contentSHA256: SHA256Digest.of(Data()), createdAt: Date())
        XCTAssertNil(try image.objectMetadata().values["cost"])
    }

    func testMetadataIsLimitedTo2KB() throws {
        var metadata = S3ObjectMetadata()
        try metadata.set("a", String(repeating: "x", count: 2000))
        XCTAssertThrowsError(try metadata.set("b", String(repeating: "y", count: 100))) { error in
            XCTAssertEqual(error as? S3ObjectMetadataError, .tooLarge(bytes: 2102, limit: 2048))
        }
        XCTAssertEqual(metadata.byteCount, 2001, "a refused value must not be kept")
        XCTAssertThrowsError(try metadata.set("bad name", "v"))
        XCTAssertThrowsError(try metadata.set("under_score", "v"))
    }

    func testObjectComparison() {
        let digest = LocalFileDigest(path: "/x", size: 5, sha256: SHA256Digest.of(Data("hello".utf8)))
        func info(size: Int64 = 5, etag: String = "abc", checksum: String? = nil, sha: String? = nil) -> S3ObjectInfo {
            var headers = ["content-length": String(size), "etag": "\"\(etag)\""]
            headers["x-amz-checksum-sha256"] = checksum
            headers["x-amz-meta-content-sha256"] = sha
            return S3ObjectInfo(key: "k", responseHeaders: headers)
        }
        XCTAssertEqual(info(checksum: digest.sha256.base64).comparison(with: digest), .identical)
        XCTAssertEqual(info(sha: digest.sha256.hex).comparison(with: digest), .identical)
        XCTAssertEqual(info().comparison(with: digest), .unknown)
        guard case .different = info(size: 6, checksum: digest.sha256.base64).comparison(with: digest) else {
            return XCTFail("a size difference must be a difference")
        }
        guard case .different = info(checksum: SHA256Digest.of(Data()).base64).comparison(with: digest) else {
            return XCTFail("a checksum difference must be a difference")
        }
        // Multipart: the checksum is composite, so only the metadata can decide.
        XCTAssertEqual(info(etag: "abc-3", checksum: digest.sha256.base64).comparison(with: digest), .unknown)
        XCTAssertEqual(info(etag: "abc-3", checksum: "zzz", sha: digest.sha256.hex).comparison(with: digest), .identical)
        XCTAssertEqual(info().etag, "abc")
    }
}
