import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import XCTest
@testable import Host
@testable import CloudStorage

/// A real S3-compatible server for tests: `python3 -m moto.server` on 127.0.0.1 and a free port, in
/// signature-verifying mode.
///
/// moto checks SigV4 only when `INITIAL_NO_AUTH_ACTION_COUNT` is set; the first that-many requests
/// run unauthenticated. We spend exactly three on IAM — CreateUser, PutUserPolicy (s3:*),
/// CreateAccessKey — so every S3 request after that, including CreateBucket, must be correctly signed
/// with the issued key. Readiness is probed by TCP connect because an HTTP probe would count.
/// Requires moto with its server extra (`pip install 'moto[server]==5.2.1'`).
///
/// Starting moto costs about a second (more on a loaded machine), so a test class normally shares one
/// server — `shared()` in `setUp`, `stopShared()` in `class func tearDown()` — and isolates tests by
/// giving each its own bucket. `start()`/`stop()` give a private server when a test needs one.
/// `@unchecked Sendable`: XCTest runs a class's tests one after another, and the only mutable state,
/// the shared instance, sits behind a Mutex.
final class MotoS3Server: @unchecked Sendable {
    let port: Int
    let endpoint: URL
    let credentials: AWSCredentials
    private let child: TestChildProcess

    static let startTimeout: TimeInterval = 20

    private static let sharedServer = Mutex<MotoS3Server?>(nil)

    /// The server shared by a test class, started on first use.
    static func shared() async throws -> MotoS3Server {
        if let running = sharedServer.withLock({ $0 }) { return running }
        let server = try await start()
        sharedServer.withLock { $0 = server }
        return server
    }

    /// Stops the shared server (call from `override class func tearDown()`).
    static func stopShared() {
        sharedServer.withLock { server in
            server?.stop()
            server = nil
        }
    }

    /// A fresh, valid bucket name, so tests sharing a server do not see each other's objects.
    static func uniqueBucketName() -> String {
        "t-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
    }

    static func start() async throws -> MotoS3Server {
        let port = LoopbackPort.free()
        let child = try TestChildProcess(arguments: ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
                                         environment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"], name: "moto")
        guard await LoopbackPort.waitUntilAccepting(port, process: child.process, timeout: startTimeout) else {
            let log = child.logTail
            child.stop()
            throw MotoStartError(message: "moto did not start on 127.0.0.1:\(port) within \(Int(startTimeout)) s. "
                + "Install it with `pip install 'moto[server]==5.2.1'`. Log:\n\(log)")
        }
        let endpoint = URL(string: "http://127.0.0.1:\(port)")!
        do {
            let credentials = try await bootstrapIAMUser(endpoint: endpoint)
            return MotoS3Server(port: port, endpoint: endpoint, credentials: credentials, child: child)
        } catch {
            child.stop()
            throw error
        }
    }

    private init(port: Int, endpoint: URL, credentials: AWSCredentials, child: TestChildProcess) {
        self.port = port
        self.endpoint = endpoint
        self.credentials = credentials
        self.child = child
    }

    func stop() { child.stop() }

    /// An S3 configuration for this server (path-style, us-east-1), with short timeouts and fast retries
    /// so every test stays bounded.
    func configuration(bucket: String, endpoint: URL? = nil) -> S3Configuration {
        S3Configuration(endpoint: endpoint ?? self.endpoint, region: "us-east-1", bucket: bucket, addressing: .path,
                        requestTimeout: 10,
                        retryPolicy: S3RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(20), maxDelay: .milliseconds(200)))
    }

    // MARK: IAM bootstrap (the three unauthenticated requests)

    private static func bootstrapIAMUser(endpoint: URL) async throws -> AWSCredentials {
        // Any credentials do while moto is still in its unauthenticated allowance; signing with service
        // "iam" is what routes the request to moto's IAM backend.
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "bootstrap", secretAccessKey: "bootstrap"),
                                 region: "us-east-1", service: "iam", options: .genericService)
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        _ = try await iam(["Action": "CreateUser", "UserName": "imagegen-test"], endpoint: endpoint, signer: signer)
        _ = try await iam(["Action": "PutUserPolicy", "UserName": "imagegen-test", "PolicyName": "s3-all",
                           "PolicyDocument": policy], endpoint: endpoint, signer: signer)
        let document = try await iam(["Action": "CreateAccessKey", "UserName": "imagegen-test"],
                                     endpoint: endpoint, signer: signer)
        guard let id = document.first("AccessKeyId"), let secret = document.first("SecretAccessKey") else {
            throw MotoStartError(message: "moto's CreateAccessKey answer has no key")
        }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret)
    }

    private static func iam(_ parameters: [String: String], endpoint: URL, signer: SigV4Signer) async throws -> S3XMLDocument {
        var form = parameters
        form["Version"] = "2010-05-08"
        let body = Data(form.keys.sorted().map {
            "\(SigV4URIEncoding.encodeQueryComponent($0))=\(SigV4URIEncoding.encodeQueryComponent(form[$0]!))"
        }.joined(separator: "&").utf8)
        let host = "\(endpoint.host!):\(endpoint.port!)"
        let request = SigV4Request(method: "POST", path: "/", headers: [
            HTTPHeaderField("host", host), HTTPHeaderField("Content-Type", "application/x-www-form-urlencoded"),
        ])
        let signed = signer.sign(request, payload: .bytes(body), at: Date())
        var urlRequest = URLRequest(url: endpoint.appendingPathComponent("/"))
        urlRequest.httpMethod = "POST"
        urlRequest.timeoutInterval = 10
        for header in signed.request.headers where header.name != "host" {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        let (data, response) = try await URLSession.shared.upload(for: urlRequest, from: body)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200, let document = S3XMLDocument(data: data) else {
            throw MotoStartError(message: "moto IAM \(parameters["Action"]!) answered \(status): "
                + String(decoding: data, as: UTF8.self))
        }
        return document
    }
}

struct MotoStartError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
