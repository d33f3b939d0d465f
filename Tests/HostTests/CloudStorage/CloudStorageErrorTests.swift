import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import Host
@testable import CloudStorage

final class CloudStorageErrorTests: XCTestCase {
    private let classifier = S3ErrorClassifier(accessKeyID: "AKIDTEST", bucket: "bkt", region: "eu-west-1",
                                               endpoint: "https://s3.example", timeout: 30)

    private func errorBody(_ code: String, _ message: String = "m") -> Data {
        Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>r</RequestId>\
            <StringToSign>AWS4-HMAC-SHA256 ...</StringToSign></Error>
            """.utf8)
    }

    func testErrorCodesMapToActionableCases() {
        let op = "PUT s3://bkt/k"
        XCTAssertEqual(classifier.error(status: 403, body: errorBody("SignatureDoesNotMatch"), operation: op, key: "k"),
                       .signatureDoesNotMatch(accessKeyID: "AKIDTEST", operation: op))
        XCTAssertEqual(classifier.error(status: 403, body: errorBody("InvalidAccessKeyId"), operation: op, key: "k"),
                       .invalidAccessKeyID(accessKeyID: "AKIDTEST", operation: op))
        XCTAssertEqual(classifier.error(status: 404, body: errorBody("NoSuchBucket"), operation: op, key: "k"),
                       .noSuchBucket(bucket: "bkt", operation: op))
        XCTAssertEqual(classifier.error(status: 503, body: errorBody("SlowDown"), operation: op, key: "k"),
                       .throttled(operation: op, status: 503, code: "SlowDown"))
        XCTAssertEqual(classifier.error(status: 403, body: errorBody("RequestTimeTooSkewed"), operation: op, key: "k"),
                       .clockSkewed(operation: op))
        XCTAssertEqual(classifier.error(status: 400, body: errorBody("AuthorizationHeaderMalformed", "wrong region"),
                                        operation: op, key: "k"),
                       .wrongRegion(configuredRegion: "eu-west-1", operation: op, message: "wrong region"))
        // No body (HEAD): status decides.
        XCTAssertEqual(classifier.error(status: 404, body: Data(), operation: op, key: "k"), .noSuchKey(bucket: "bkt", key: "k"))
        XCTAssertEqual(classifier.error(status: 502, body: Data(), operation: op, key: "k"),
                       .serverError(operation: op, status: 502, code: nil, message: nil))
        XCTAssertEqual(classifier.error(status: 429, body: Data(), operation: op, key: "k"),
                       .throttled(operation: op, status: 429, code: "SlowDown"))
        XCTAssertEqual(classifier.error(status: 400, body: errorBody("InvalidArgument", "bad"), operation: op, key: "k"),
                       .requestFailed(operation: op, status: 400, code: "InvalidArgument", message: "bad"))
    }

    func testOnlyTransientErrorsAreRetryable() {
        let op = "PUT s3://bkt/k"
        let retryable: [S3Error] = [
            .throttled(operation: op, status: 503, code: "SlowDown"),
            .serverError(operation: op, status: 500, code: "InternalError", message: nil),
            classifier.error(status: 400, body: errorBody("RequestTimeout"), operation: op, key: "k"),
            classifier.error(transport: URLError(.timedOut), operation: op),
            classifier.error(transport: URLError(.networkConnectionLost), operation: op),
        ]
        let final: [S3Error] = [
            .signatureDoesNotMatch(accessKeyID: "A", operation: op), .invalidAccessKeyID(accessKeyID: "A", operation: op),
            .noSuchBucket(bucket: "b", operation: op), .checksumMismatch(operation: op, expected: "a", actual: "b"),
            classifier.error(transport: URLError(.cannotFindHost), operation: op),
        ]
        XCTAssertTrue(retryable.allSatisfy(\.isRetryable), "\(retryable.filter { !$0.isRetryable })")
        XCTAssertTrue(final.allSatisfy { !$0.isRetryable }, "\(final.filter(\.isRetryable))")
        XCTAssertEqual(classifier.error(transport: URLError(.timedOut), operation: op), .timedOut(operation: op, seconds: 30))
    }

    func testSignatureMessageNamesTheKeyAndWhatToCheck() {
        let text = S3Error.signatureDoesNotMatch(accessKeyID: "AKIDTEST", operation: "PUT s3://bkt/k").description
        XCTAssertTrue(text.contains("the secret key is wrong for access key AKIDTEST"))
        XCTAssertTrue(text.contains("PUT s3://bkt/k"))
    }

    func testCompleteMultipartErrorInsideA200IsDetected() {
        let document = S3XMLDocument(data: errorBody("InternalError", "We encountered an internal error"))
        XCTAssertEqual(document?.root, "Error")
        XCTAssertEqual(document?.first("Code"), "InternalError")
        let ok = S3XMLDocument(data: Data("""
            <CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>l</Location>\
            <Bucket>b</Bucket><Key>k</Key><ETag>"abc-2"</ETag></CompleteMultipartUploadResult>
            """.utf8))
        XCTAssertEqual(ok?.root, "CompleteMultipartUploadResult")
        XCTAssertEqual(ok?.first("ETag"), "\"abc-2\"")
    }

    func testRetryDelaysAreJitteredAndBounded() {
        let policy = S3RetryPolicy(maxAttempts: 5, initialDelay: .milliseconds(100), maxDelay: .seconds(1))
        XCTAssertEqual(policy.delay(beforeRetry: 1, unitRandom: 1), .milliseconds(100))
        XCTAssertEqual(policy.delay(beforeRetry: 3, unitRandom: 1), .milliseconds(400))
        XCTAssertEqual(policy.delay(beforeRetry: 3, unitRandom: 0.5), .milliseconds(200))
        XCTAssertEqual(policy.delay(beforeRetry: 3, unitRandom: 0), .zero)
        XCTAssertEqual(policy.delay(beforeRetry: 20, unitRandom: 1), .seconds(1), "capped at maxDelay")
        XCTAssertEqual(policy.delay(beforeRetry: 1, unitRandom: 0, retryAfter: .seconds(30)), .seconds(1),
                       "Retry-After is honoured but bounded")
        XCTAssertEqual(S3RetryPolicy(maxAttempts: 0).maxAttempts, 1)
    }

    func testConfigurationValidation() {
        let good = S3Configuration(endpoint: URL(string: "http://127.0.0.1:9000")!, region: "us-east-1", bucket: "b")
        XCTAssertNoThrow(try good.validate())
        var bad = good
        bad.partSize = 1024
        XCTAssertThrowsError(try bad.validate())
        bad = good
        bad.endpoint = URL(string: "http://127.0.0.1:9000/bucket")!
        XCTAssertThrowsError(try bad.validate())
        bad = .aws(region: "eu-west-1", bucket: "my.dotted.bucket")
        XCTAssertThrowsError(try bad.validate()) { error in
            XCTAssertTrue(String(describing: error).contains("path-style"))
        }
        XCTAssertEqual(S3Client.partSize(for: 100 * 1024 * 1024 * 1024, configured: 8 * 1024 * 1024), 10_737_419)
    }

    func testAddressingStylesBuildMatchingHostAndPath() throws {
        let credentials = AWSCredentials(accessKeyID: "A", secretAccessKey: "s")
        let virtual = try S3Client(configuration: .aws(region: "eu-west-1", bucket: "imgs"), credentials: credentials)
        XCTAssertEqual(virtual.objectURL(key: "a b/c.png").absoluteString, "https://imgs.s3.eu-west-1.amazonaws.com/a%20b/c.png")
        let path = try S3Client(configuration: S3Configuration(endpoint: URL(string: "http://127.0.0.1:9000")!,
                                                              region: "us-east-1", bucket: "imgs"), credentials: credentials)
        XCTAssertEqual(path.objectURL(key: "a b/c.png").absoluteString, "http://127.0.0.1:9000/imgs/a%20b/c.png")
        XCTAssertEqual(path.target(key: "k").host, "127.0.0.1:9000")
        let presigned = path.presignedURL(key: "k.png", expiresIn: 60, at: Date(timeIntervalSince1970: 0))
        XCTAssertTrue(presigned.absoluteString.hasPrefix(
            "http://127.0.0.1:9000/imgs/k.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F19700101%2Fus-east-1%2Fs3%2Faws4_request"))
        XCTAssertFalse(presigned.absoluteString.contains("=s&") || presigned.absoluteString.hasSuffix("=s"))
    }
}
