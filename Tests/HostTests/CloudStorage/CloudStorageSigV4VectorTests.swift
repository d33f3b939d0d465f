import Foundation
import XCTest
@testable import Host
@testable import CloudStorage
@testable import Crypto

/// SigV4 against the published vectors (copied into Vectors/ with their LICENSE/NOTICE files).
/// Each case compares the canonical request, then the string to sign, then the signature, so a
/// failure points at the step that broke (encoding/canonicalisation vs key derivation/date).
final class CloudStorageSigV4VectorTests: XCTestCase {
    // MARK: aws4_testsuite (service "service", us-east-1, 20150830T123600Z)

    private let suiteCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE",
                                                  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    private let suiteToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"

    private let suiteCases = [
        "get-vanilla", "post-vanilla", "post-vanilla-query", "get-utf8", "get-unreserved",
        "get-vanilla-query-order-key-case", "get-vanilla-query-unreserved", "get-vanilla-utf8-query",
        "get-vanilla-empty-query-key", "get-header-value-trim", "get-header-key-duplicate",
        "get-header-value-multiline", "get-vanilla-with-session-token", "post-x-www-form-urlencoded",
    ]
    private let normalizePathCases = [
        "get-space", "get-slashes", "get-slash-dot-slash", "get-relative-relative", "get-slash-pointless-dot",
    ]

    func testAWS4TestSuiteCases() throws {
        for name in suiteCases {
            try checkSuiteCase(directory: "aws4_testsuite/\(name)", name: name, options: .genericService)
            // None of these paths has dot segments or `//`, so the S3 path rule must agree.
            try checkSuiteCase(directory: "aws4_testsuite/\(name)", name: name,
                               options: .init(normalizesPath: false, addsContentSHA256Header: false))
        }
    }

    func testAWS4TestSuiteNormalizePathCasesWithGenericRule() throws {
        for name in normalizePathCases {
            try checkSuiteCase(directory: "aws4_testsuite/normalize-path/\(name)", name: name, options: .genericService)
        }
    }

    private func checkSuiteCase(directory: String, name: String, options: SigV4Signer.Options) throws {
        let base = "\(directory)/\(name)"
        let parsed = SigV4VectorRequest(text: try SigV4Vectors.text("\(base).req"))
        let credentials = name.contains("session-token")
            ? AWSCredentials(accessKeyID: suiteCredentials.accessKeyID,
                             secretAccessKey: suiteCredentials.secretAccessKey, sessionToken: suiteToken)
            : suiteCredentials
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service", options: options)
        let signed = signer.sign(parsed.request, payload: .bytes(parsed.body),
                                 at: SigV4Vectors.date(amz: "20150830T123600Z"))
        XCTAssertEqual(signed.canonicalRequest, try SigV4Vectors.text("\(base).creq"), "canonical request: \(name)")
        XCTAssertEqual(signed.stringToSign, try SigV4Vectors.text("\(base).sts"), "string to sign: \(name)")
        XCTAssertEqual(signed.authorization, try SigV4Vectors.text("\(base).authz"), "authorization: \(name)")
    }

    // MARK: aws-c-auth v4 (header and query forms, S3-style unnormalised paths)

    private let crtCases = [
        "get-vanilla", "get-vanilla-with-session-token", "get-space-normalized", "get-space-unnormalized",
        "get-slashes-unnormalized", "get-relative-relative-unnormalized", "get-slash-dot-slash-unnormalized",
    ]

    private struct CRTContext: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var expiration_in_seconds: Int
        var normalize: Bool
        var region: String
        var service: String
        var timestamp: String
    }

    func testAWSCAuthHeaderAndQueryCases() throws {
        for name in crtCases {
            let dir = "aws-c-auth-v4/\(name)"
            let context = try JSONDecoder().decode(CRTContext.self, from: Data(try SigV4Vectors.text("\(dir)/context.json").utf8))
            let signer = SigV4Signer(
                credentials: AWSCredentials(accessKeyID: context.credentials.access_key_id,
                                            secretAccessKey: context.credentials.secret_access_key,
                                            sessionToken: context.credentials.token),
                region: context.region, service: context.service,
                options: .init(normalizesPath: context.normalize, addsContentSHA256Header: false))
            let parsed = SigV4VectorRequest(text: try SigV4Vectors.text("\(dir)/request.txt"))
            let date = SigV4Vectors.date(iso8601: context.timestamp)

            let header = signer.sign(parsed.request, payload: .bytes(parsed.body), at: date)
            XCTAssertEqual(header.canonicalRequest, try SigV4Vectors.text("\(dir)/header-canonical-request.txt"), name)
            XCTAssertEqual(header.stringToSign, try SigV4Vectors.text("\(dir)/header-string-to-sign.txt"), name)
            XCTAssertEqual(header.signature, try SigV4Vectors.text("\(dir)/header-signature.txt"), name)

            let query = signer.presign(parsed.request, expiresIn: context.expiration_in_seconds,
                                       payload: .bytes(parsed.body), at: date)
            XCTAssertEqual(query.canonicalRequest, try SigV4Vectors.text("\(dir)/query-canonical-request.txt"), name)
            XCTAssertEqual(query.stringToSign, try SigV4Vectors.text("\(dir)/query-string-to-sign.txt"), name)
            XCTAssertEqual(query.signature, try SigV4Vectors.text("\(dir)/query-signature.txt"), name)
        }
    }

    // MARK: S3 API reference worked examples (service s3, the `/`-variant example secret)

    private let s3Signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "s3", options: .s3)
    private let s3Date = SigV4Vectors.date(amz: "20130524T000000Z")

    func testS3ReferenceHeaderExamples() throws {
        for name in ["get-object", "put-object", "get-bucket-lifecycle", "list-objects"] {
            let base = "s3-api-reference-examples/\(name)/\(name)"
            let parsed = SigV4VectorRequest(text: try SigV4Vectors.text("\(base).req"))
            let signed = s3Signer.sign(parsed.request, payload: .bytes(parsed.body), at: s3Date)
            XCTAssertEqual(signed.canonicalRequest, try SigV4Vectors.text("\(base).creq"), name)
            XCTAssertEqual(signed.stringToSign, try SigV4Vectors.text("\(base).sts"), name)
            // The S3 pages write the components without a space after the comma; both forms are valid.
            XCTAssertEqual(signed.authorization?.replacingOccurrences(of: ", ", with: ","),
                           try SigV4Vectors.text("\(base).authz"), name)
            XCTAssertEqual(signed.request.header("x-amz-content-sha256"),
                           parsed.request.header("x-amz-content-sha256")?.trimmingCharacters(in: .whitespaces))
        }
    }

    func testS3ReferencePresignedGet() throws {
        let base = "s3-api-reference-examples/presigned-get/presigned-get"
        let request = SigV4Request(method: "GET", path: "/test.txt",
                                   headers: [HTTPHeaderField("Host", "examplebucket.s3.amazonaws.com")])
        let signed = s3Signer.presign(request, expiresIn: 86_400, at: s3Date)
        XCTAssertEqual(signed.canonicalRequest, try SigV4Vectors.text("\(base).creq"))
        XCTAssertEqual(signed.stringToSign, try SigV4Vectors.text("\(base).sts"))
        XCTAssertEqual("https://examplebucket.s3.amazonaws.com\(signed.canonicalURI)?\(signed.canonicalQuery)",
                       try SigV4Vectors.text("\(base).url"))
    }

    /// The streaming (aws-chunked) seed signature: only the header part; chunk signing is not implemented
    /// (images are in memory or go multipart, reference/s3-sigv4.md §7).
    func testS3ReferenceStreamingSeedSignature() throws {
        let base = "s3-api-reference-examples/streaming-put/streaming-put"
        let request = SigV4Request(method: "PUT", path: "/examplebucket/chunkObject.txt", headers: [
            HTTPHeaderField("Host", "s3.amazonaws.com"),
            HTTPHeaderField("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            HTTPHeaderField("Content-Encoding", "aws-chunked"),
            HTTPHeaderField("x-amz-decoded-content-length", "66560"),
            HTTPHeaderField("Content-Length", "66824"),
        ])
        let signed = s3Signer.sign(request, payload: .literal("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), at: s3Date)
        XCTAssertEqual(signed.canonicalRequest, try SigV4Vectors.text("\(base).creq"))
        XCTAssertEqual(signed.stringToSign, try SigV4Vectors.text("\(base).sts"))
        XCTAssertEqual(signed.signature, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
    }

    // MARK: Single steps

    /// IAM guide "derive a signing key" example (reference §9.1).
    func testSigningKeyDerivationMatchesIAMExample() {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "x", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", service: "iam")
        XCTAssertEqual(SodiumEncoding.hex(signer.signingKey(scopeDate: "20120215")),
                       "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
        XCTAssertEqual(SodiumEncoding.hex(s3Signer.signingKey(scopeDate: "20130524")),
                       "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378")
    }

    func testUnsignedPayloadAndSessionTokenAreSignedHeaders() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s",
                                                             sessionToken: "tok"), region: "us-east-1")
        let request = SigV4Request(method: "PUT", path: "/bucket/a b/c+d.png",
                                   headers: [HTTPHeaderField("Host", "127.0.0.1:9000")])
        let signed = signer.sign(request, payload: .unsigned, at: s3Date)
        XCTAssertEqual(signed.request.header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD")
        XCTAssertEqual(signed.request.header("x-amz-security-token"), "tok")
        XCTAssertTrue(signed.canonicalRequest.hasSuffix(
            "\nhost;x-amz-content-sha256;x-amz-date;x-amz-security-token\nUNSIGNED-PAYLOAD"))
        // S3 keys keep `/`, encode space and `+` exactly once.
        XCTAssertEqual(signed.canonicalURI, "/bucket/a%20b/c%2Bd.png")
    }

    func testURIEncodingRules() {
        XCTAssertEqual(SigV4URIEncoding.encodeQueryComponent("a/b c~d*e+f$ሴ"), "a%2Fb%20c~d%2Ae%2Bf%24%E1%88%B4")
        XCTAssertEqual(SigV4URIEncoding.encodePath("/my-object//example//photo.user"), "/my-object//example//photo.user")
        XCTAssertEqual(SigV4URIEncoding.encodePath("/100%/x"), "/100%25/x")
    }

    func testSHA256OfEmptyInput() {
        XCTAssertEqual(SHA256Digest.of(Data()).hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let digest = SHA256Digest.of(Data("Welcome to Amazon S3.".utf8))
        XCTAssertEqual(SHA256Digest(hex: digest.hex), digest)
        XCTAssertEqual(SHA256Digest(base64: digest.base64), digest)
    }
}
