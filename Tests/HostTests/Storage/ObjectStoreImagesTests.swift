import Foundation
import XCTest
@testable import CloudStorage
@testable import Crypto
@testable import ImagegenCore
@testable import Operations

/// Image files another host stored, read from the bucket (moto): the bytes come back only when
/// they match the catalog's hash, and a file neither here nor uploaded is named as such.
final class ObjectStoreImagesTests: MotoTestCase {

    func testAnUploadedImageComesFromTheBucketOnlyWithTheCatalogsChecksum() async throws {
        let bed = try await StorageTestBed(moto: moto, label: "object-images")
        let generated = try await bed.generate()
        let record = try XCTUnwrap(generated.first)
        let queue = try bed.queue()
        let client = try bed.client()
        let images = ObjectStoreImages(queue: queue, client: client)

        // Not uploaded yet: refused by name, as not found.
        do {
            _ = try await images.fetch(record)
            XCTFail("served an image the bucket does not have")
        } catch {
            XCTAssertEqual(error, .notUploaded(imageID: record.imageID, filePath: record.filePath, state: .pending))
            XCTAssertEqual(error.meaning, .notFound)
            XCTAssertTrue(error.description.contains("not in this host's data folder"), error.description)
        }

        let report = try await bed.worker(client: client, queue: queue).sync()
        XCTAssertTrue(report.succeeded, "\(report.failures)")
        // The local file gone (another host's image): the bytes come from the bucket.
        let local = bed.dataDirectory + "/" + record.filePath
        let original = try Data(contentsOf: URL(fileURLWithPath: local))
        try FileManager.default.removeItem(atPath: local)
        let fetched = try await images.fetch(record)
        XCTAssertEqual(fetched, original)
        XCTAssertEqual(SHA256Digest.of(fetched).hex, record.contentSHA256)

        // Someone replaced the object: its bytes no longer match the catalog, so they are refused.
        let key = try XCTUnwrap(try queue.items(imageID: record.imageID).first { $0.kind == .image }?.objectKey)
        _ = try await client.putObject(Data("not the image".utf8), key: key, contentType: "image/png")
        do {
            _ = try await images.fetch(record)
            XCTFail("served bytes that do not match the catalog")
        } catch {
            guard case .checksumMismatch(let id, let k, let expected, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(id, record.imageID)
            XCTAssertEqual(k, key)
            XCTAssertEqual(expected, record.contentSHA256)
            XCTAssertEqual(error.errorCode, "checksum_mismatch")
        }

        // An image with no upload row at all (stored before the bucket was configured, elsewhere).
        var stray = record
        stray.imageID = "img_elsewhere"
        stray.filePath = "content/product/2026/01/img_elsewhere.png"
        do {
            _ = try await images.fetch(stray)
            XCTFail("served an image nobody uploaded")
        } catch {
            XCTAssertEqual(error, .notUploaded(imageID: "img_elsewhere", filePath: stray.filePath, state: nil))
            XCTAssertTrue(error.description.contains("not in the upload queue"), error.description)
        }
    }
}
