import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import Host
@testable import CloudStorage
@testable import Crypto

/// S3Client against a real S3-compatible server (moto, signature-verifying) on 127.0.0.1.
/// The class shares one server and gives each test its own bucket; every request has a 10 s timeout
/// and at most 4 attempts with ≤ 200 ms waits, so no test can hang.
final class CloudStorageS3ClientTests: MotoTestCase {
    private var proxy: FaultInjectingProxy?
    private var scratch: URL!
    private var bucket = ""

    override func setUp() async throws {
        try await super.setUp()
        bucket = MotoS3Server.uniqueBucketName()
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("s3-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        // CreateBucket is already an authenticated request: the signer has to be right for setUp to pass.
        try await client().createBucket()
    }

    override func tearDown() async throws {
        proxy?.stop()
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    private func client(_ configure: (inout S3Configuration) -> Void = { _ in }, credentials: AWSCredentials? = nil,
                        endpoint: URL? = nil, retryObserver: S3Client.RetryObserver? = nil) throws -> S3Client {
        var configuration = moto.configuration(bucket: bucket, endpoint: endpoint)
        configure(&configuration)
        return try S3Client(configuration: configuration, credentials: credentials ?? moto.credentials,
                            retryObserver: retryObserver)
    }

    /// A file of `size` deterministic bytes (varied per `seed` so different files differ).
    private func makeFile(_ name: String, size: Int, seed: UInt8 = 1) throws -> String {
        var bytes = [UInt8](repeating: 0, count: size)
        var state = UInt32(seed) &* 2_654_435_761
        for index in bytes.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            bytes[index] = UInt8(truncatingIfNeeded: state >> 24)
        }
        let path = scratch.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func imageMetadata(_ digest: LocalFileDigest) -> S3ObjectMetadata {
        let image = ImageObjectMetadata(imageID: "img-001", category: "portraits", model: "flux-schnell",
                                        cost: Decimal(string: "0.003"), contentSHA256: digest.sha256,
                                        createdAt: Date(timeIntervalSince1970: 1_764_000_000))
        return try! image.objectMetadata()
    }

    // MARK: Upload, HEAD, checksum

    func testUploadThenHeadReportsChecksumSizeAndMetadata() async throws {
        let s3 = try client()
        let path = try makeFile("a.png", size: 70_000)
        let digest = try LocalFileDigest.compute(fileAt: path)
        // A space and '~' exercise the one-time path encoding. (moto 5.2.1 in signature-checking mode
        // rejects keys with '+', '%' or '=' even from boto3; the encoding of those is covered by the vectors.)
        let key = "renders/portraits/2025/11/img 001~x.png"

        let result = try await s3.upload(fileAt: path, key: key, contentType: "image/png",
                                         metadata: imageMetadata(digest), digest: digest)
        XCTAssertTrue(result.verified)
        XCTAssertEqual(result.parts, 1)
        XCTAssertFalse(result.etag.isEmpty)
        XCTAssertEqual(result.url.absoluteString,
                       "\(moto.endpoint.absoluteString)/\(bucket)/renders/portraits/2025/11/img%20001~x.png")

        let head = try await s3.headObject(key: key)
        let info = try XCTUnwrap(head)
        XCTAssertEqual(info.size, 70_000)
        XCTAssertEqual(info.etag, result.etag)
        XCTAssertEqual(info.contentType, "image/png")
        XCTAssertEqual(info.checksumSHA256, digest.sha256.base64)
        XCTAssertEqual(info.metadata["image-id"], "img-001")
        XCTAssertEqual(info.metadata["cost"], "0.003")
        XCTAssertEqual(info.metadata[S3ObjectMetadata.contentSHA256Name], digest.sha256.hex)
        XCTAssertEqual(info.comparison(with: digest), .identical)

        let body = try await s3.getObject(key: key)
        XCTAssertEqual(SHA256Digest.of(body), digest.sha256)

        let restored = scratch.appendingPathComponent("restored.png").path
        let written = try await s3.downloadObject(key: key, to: restored)
        XCTAssertEqual(written, digest.sha256)
        XCTAssertEqual(try LocalFileDigest.compute(fileAt: restored).sha256, digest.sha256)
        XCTAssertFalse(FileManager.default.fileExists(atPath: restored + ".partial"))
    }

    func testUnsignedPayloadUploadAndMissingDownload() async throws {
        let s3 = try client { $0.payloadSigning = .unsigned }
        _ = try await s3.putObject(Data("unsigned body".utf8), key: "u.png", contentType: "image/png")
        let body = try await s3.getObject(key: "u.png")
        XCTAssertEqual(body, Data("unsigned body".utf8))

        let target = scratch.appendingPathComponent("missing.png").path
        do {
            try await s3.downloadObject(key: "missing.png", to: target)
            XCTFail("downloading a missing object must fail")
        } catch {
            XCTAssertEqual(error, .noSuchKey(bucket: bucket, key: "missing.png"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
    }

    func testVerifyDetectsADifferentStoredObject() async throws {
        let s3 = try client()
        let original = try LocalFileDigest.compute(fileAt: try makeFile("one.png", size: 1000, seed: 1))
        _ = try await s3.putObject(Data(repeating: 7, count: 1000), key: "k.png", contentType: "image/png")
        do {
            try await s3.verify(key: "k.png", against: original)
            XCTFail("a different object must not verify")
        } catch S3Error.checksumMismatch(let operation, _, _) {
            XCTAssertTrue(operation.contains("k.png"))
        }
    }

    // MARK: Authentication errors

    func testWrongSecretIsAClearAuthErrorWithoutTheSecret() async throws {
        let wrongSecret = "definitely-not-the-secret-0123456789abcdef"
        let wrong = AWSCredentials(accessKeyID: moto.credentials.accessKeyID, secretAccessKey: wrongSecret)
        let s3 = try client(credentials: wrong)
        do {
            _ = try await s3.putObject(Data("x".utf8), key: "x.png", contentType: "image/png")
            XCTFail("a wrong secret must be refused")
        } catch {
            XCTAssertEqual(error, .signatureDoesNotMatch(accessKeyID: moto.credentials.accessKeyID,
                                                         operation: "PUT s3://\(bucket)/x.png"))
            XCTAssertTrue(error.description.contains("the secret key is wrong for access key \(moto.credentials.accessKeyID)"))
            XCTAssertFalse(error.description.contains(wrongSecret))
            XCTAssertFalse(error.isRetryable)
        }
        // HEAD answers 403 without a body; the client still names the cause.
        do {
            _ = try await s3.headObject(key: "x.png")
            XCTFail("a wrong secret must be refused")
        } catch {
            guard case .signatureDoesNotMatch = error else { return XCTFail("got \(error)") }
        }
    }

    func testUnknownAccessKeyIsReported() async throws {
        let s3 = try client(credentials: AWSCredentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "whatever"))
        do {
            _ = try await s3.putObject(Data("x".utf8), key: "x.png", contentType: "image/png")
            XCTFail("an unknown key must be refused")
        } catch {
            XCTAssertEqual(error, .invalidAccessKeyID(accessKeyID: "AKIAUNKNOWNKEY000000",
                                                      operation: "PUT s3://\(bucket)/x.png"))
            XCTAssertTrue(error.description.contains("AKIAUNKNOWNKEY000000"))
        }
    }

    // MARK: Missing things

    func testMissingObjectAndMissingBucket() async throws {
        let s3 = try client()
        let head = try await s3.headObject(key: "nope.png")
        XCTAssertNil(head)
        do {
            _ = try await s3.getObject(key: "nope.png")
            XCTFail("GET of a missing object must fail")
        } catch {
            XCTAssertEqual(error, .noSuchKey(bucket: bucket, key: "nope.png"))
        }
        let other = try client { $0.bucket = "no-such-bucket-here" }
        do {
            _ = try await other.putObject(Data("x".utf8), key: "x.png", contentType: "image/png")
            XCTFail("PUT into a missing bucket must fail")
        } catch {
            XCTAssertEqual(error, .noSuchBucket(bucket: "no-such-bucket-here", operation: "PUT s3://no-such-bucket-here/x.png"))
        }
    }

    // MARK: Skip identical

    func testIdenticalObjectIsSkippedAndAChangedFileIsUploaded() async throws {
        let s3 = try client()
        let root = scratch.appendingPathComponent("content").path
        let directory = root + "/portraits/2025/11"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/img-001.png"
        try Data(repeating: 1, count: 4096).write(to: URL(fileURLWithPath: path))
        func plan() throws -> UploadPlan {
            let digest = try LocalFileDigest.compute(fileAt: path)
            return try UploadPlan(localPath: path, contentRoot: root, prefix: "backups/main",
                                  image: ImageObjectMetadata(imageID: "img-001", category: "portraits", model: "m",
                                                             cost: nil, contentSHA256: digest.sha256, createdAt: Date()))
        }

        let first = try await s3.uploadIfChanged(try plan())
        guard case .uploaded(let result) = first else { return XCTFail("first upload must upload, got \(first)") }
        XCTAssertEqual(result.key, "backups/main/portraits/2025/11/img-001.png")

        let second = try await s3.uploadIfChanged(try plan())
        guard case .alreadyPresent(let info, let url) = second else { return XCTFail("identical object must be skipped") }
        XCTAssertEqual(info.etag, result.etag)
        XCTAssertEqual(url, result.url)

        try Data(repeating: 2, count: 4096).write(to: URL(fileURLWithPath: path))
        let third = try await s3.uploadIfChanged(try plan())
        guard case .uploaded = third else { return XCTFail("a changed file must be uploaded again") }
    }

    // MARK: Multipart

    func testMultipartUploadOf11MiB() async throws {
        let s3 = try client {
            $0.multipartThreshold = 6 * 1024 * 1024
            $0.partSize = 5 * 1024 * 1024
        }
        let path = try makeFile("big.png", size: 11 * 1024 * 1024, seed: 3)
        let digest = try LocalFileDigest.compute(fileAt: path)
        let result = try await s3.upload(fileAt: path, key: "big/big.png", contentType: "image/png",
                                         metadata: imageMetadata(digest), digest: digest)
        XCTAssertEqual(result.parts, 3)
        XCTAssertTrue(result.verified)
        XCTAssertTrue(result.etag.hasSuffix("-3"), "multipart ETag: \(result.etag)")

        let head = try await s3.headObject(key: "big/big.png")
        let info = try XCTUnwrap(head)
        XCTAssertEqual(info.size, Int64(11 * 1024 * 1024))
        XCTAssertTrue(info.isMultipart)
        // The composite checksum: SHA-256 over the three parts' SHA-256 digests.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var composite = SHA256Hasher()
        for offset in stride(from: 0, to: data.count, by: 5 * 1024 * 1024) {
            composite.update(SHA256Digest.of(data[offset..<min(offset + 5 * 1024 * 1024, data.count)]).bytes)
        }
        XCTAssertEqual(info.checksumSHA256.map { S3Client.checksumValue($0) }, Substring(composite.finalize().base64))
        XCTAssertEqual(info.metadata["image-id"], "img-001")
        let body = try await s3.getObject(key: "big/big.png")
        XCTAssertEqual(SHA256Digest.of(body), digest.sha256)
        let pending = try await s3.listMultipartUploads()
        XCTAssertEqual(pending, [])
    }

    func testMultipartIsAbortedWhenAPartFails() async throws {
        proxy = try await FaultInjectingProxy(upstreamPort: moto.port, fault: .status(400, code: "InvalidArgument"),
                                              count: 100, match: "partNumber=2")
        let s3 = try client({
            $0.multipartThreshold = 6 * 1024 * 1024
            $0.partSize = 5 * 1024 * 1024
        }, endpoint: proxy!.endpoint)
        let path = try makeFile("big.png", size: 11 * 1024 * 1024, seed: 4)
        do {
            _ = try await s3.upload(fileAt: path, key: "big/fail.png", contentType: "image/png")
            XCTFail("a failing part must fail the upload")
        } catch {
            guard case .requestFailed(_, 400, "InvalidArgument", _) = error else { return XCTFail("got \(error)") }
        }
        let pending = try await s3.listMultipartUploads()
        XCTAssertEqual(pending, [], "the failed upload must have been aborted")
        let head = try await s3.headObject(key: "big/fail.png")
        XCTAssertNil(head)
    }

    // MARK: Retries

    func testSlowDownThenSuccessIsRetried() async throws {
        proxy = try await FaultInjectingProxy(upstreamPort: moto.port, fault: .status(503, code: "SlowDown"),
                                              count: 2, match: "PUT ")
        let retries = RetryLog()
        let s3 = try client(endpoint: proxy!.endpoint, retryObserver: { error, attempt, _ in retries.record(error, attempt) })
        let response = try await s3.putObject(Data("hello".utf8), key: "t.png", contentType: "image/png")
        XCTAssertFalse(response.etag.isEmpty)
        XCTAssertEqual(retries.attempts, [1, 2])
        XCTAssertTrue(retries.errors.allSatisfy { if case .throttled(_, 503, "SlowDown") = $0 { true } else { false } })
        let body = try await s3.getObject(key: "t.png")
        XCTAssertEqual(body, Data("hello".utf8))
    }

    func testPersistentServerErrorsStopAfterTheRetryBound() async throws {
        proxy = try await FaultInjectingProxy(upstreamPort: moto.port, fault: .status(500, code: "InternalError"),
                                              count: 100, match: "PUT ")
        let retries = RetryLog()
        let s3 = try client({ $0.retryPolicy.maxAttempts = 3 }, endpoint: proxy!.endpoint,
                            retryObserver: { error, attempt, _ in retries.record(error, attempt) })
        do {
            _ = try await s3.putObject(Data("hello".utf8), key: "t.png", contentType: "image/png")
            XCTFail("persistent 500s must fail")
        } catch {
            guard case .serverError(_, 500, "InternalError", _) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(error.isRetryable)
        }
        XCTAssertEqual(retries.attempts, [1, 2])
    }

    func testTimeoutThenSuccessIsRetried() async throws {
        proxy = try await FaultInjectingProxy(upstreamPort: moto.port, fault: .stall, count: 1, match: "PUT ")
        let retries = RetryLog()
        let s3 = try client({ $0.requestTimeout = 1 }, endpoint: proxy!.endpoint,
                            retryObserver: { error, attempt, _ in retries.record(error, attempt) })
        _ = try await s3.putObject(Data("late".utf8), key: "slow.png", contentType: "image/png")
        XCTAssertEqual(retries.attempts, [1])
        guard case .timedOut = retries.errors.first else { return XCTFail("got \(retries.errors)") }
    }
}

/// Collects retry callbacks (they may come from any thread).
final class RetryLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(S3Error, Int)] = []

    func record(_ error: S3Error, _ attempt: Int) {
        lock.lock(); defer { lock.unlock() }
        entries.append((error, attempt))
    }

    var attempts: [Int] { lock.lock(); defer { lock.unlock() }; return entries.map(\.1) }
    var errors: [S3Error] { lock.lock(); defer { lock.unlock() }; return entries.map(\.0) }
}
