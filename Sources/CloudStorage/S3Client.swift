import Foundation
import ImagegenCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A client for one bucket of an S3-compatible store, over Foundation's URLSession (system libcurl),
/// signed with SigV4.
///
/// Every request is signed afresh per attempt (a retry gets a new `x-amz-date`) and retried with
/// jittered back-off only when the failure is retryable. Operations live in extensions:
/// objects (`S3Client+Objects`), uploads with skip/verify (`S3Client+Upload`) and multipart
/// (`S3Client+Multipart`).
package final class S3Client: Sendable {
    /// Called before each retry wait: the error, the attempt that failed (1-based) and the wait.
    /// For logs and metrics; the error's description never contains the secret.
    package typealias RetryObserver = @Sendable (_ error: S3Error, _ failedAttempt: Int, _ wait: Duration) -> Void

    package let configuration: S3Configuration
    let signer: SigV4Signer
    let session: URLSession
    let classifier: S3ErrorClassifier
    private let retryObserver: RetryObserver?

    /// `session` defaults to an ephemeral session with the configured timeout (no cookies, no cache).
    package init(configuration: S3Configuration, credentials: AWSCredentials, session: URLSession? = nil,
                retryObserver: RetryObserver? = nil) throws(S3Error) {
        try configuration.validate()
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: credentials, region: configuration.region, service: "s3", options: .s3)
        if let session {
            self.session = session
        } else {
            let sessionConfiguration = URLSessionConfiguration.ephemeral
            sessionConfiguration.timeoutIntervalForRequest = configuration.requestTimeout
            sessionConfiguration.httpCookieStorage = nil
            sessionConfiguration.urlCache = nil
            self.session = URLSession(configuration: sessionConfiguration)
        }
        self.classifier = S3ErrorClassifier(accessKeyID: credentials.accessKeyID, bucket: configuration.bucket,
                                            region: configuration.region,
                                            endpoint: configuration.endpoint.absoluteString,
                                            timeout: configuration.requestTimeout)
        self.retryObserver = retryObserver
    }

    // MARK: Addressing

    /// Where a request goes: the `Host` header value and URL prefix, and the raw (unencoded) path.
    struct Target {
        var host: String
        var origin: String
        var path: String
    }

    /// `key == nil` addresses the bucket itself.
    func target(key: String?) -> Target {
        let endpoint = configuration.endpoint
        let scheme = endpoint.scheme!.lowercased()
        var host = endpoint.host!
        if configuration.addressing == .virtualHosted { host = "\(configuration.bucket).\(host)" }
        if let port = endpoint.port, !(scheme == "http" && port == 80) && !(scheme == "https" && port == 443) {
            host += ":\(port)"
        }
        let path: String
        switch (configuration.addressing, key) {
        case (.path, let key?): path = "/\(configuration.bucket)/\(key)"
        case (.path, nil): path = "/\(configuration.bucket)"
        case (.virtualHosted, let key?): path = "/\(key)"
        case (.virtualHosted, nil): path = "/"
        }
        return Target(host: host, origin: "\(scheme)://\(host)", path: path)
    }

    /// The object's URL (unsigned), e.g. for the catalog. Reading it needs credentials unless the bucket is public;
    /// see `presignedURL(key:expiresIn:)` for a time-limited link.
    package func objectURL(key: String) -> URL {
        let target = target(key: key)
        return URL(string: target.origin + SigV4URIEncoding.encodePath(target.path))!
    }

    /// A presigned GET URL valid for `seconds` (1…604800).
    package func presignedURL(key: String, expiresIn seconds: Int, at date: Date = Date()) -> URL {
        let target = target(key: key)
        let request = SigV4Request(method: "GET", path: target.path, headers: [HTTPHeaderField("host", target.host)])
        let signed = signer.presign(request, expiresIn: seconds, at: date)
        return URL(string: "\(target.origin)\(signed.canonicalURI)?\(signed.canonicalQuery)")!
    }

    func label(_ action: String, key: String?) -> String {
        "\(action) s3://\(configuration.bucket)/\(key ?? "")"
    }

    // MARK: Requests

    struct Operation {
        var method: String
        /// nil: the bucket itself.
        var key: String?
        var query: [QueryParameter] = []
        var headers: [HTTPHeaderField] = []
        var body: Data?
        var payload: SigV4Payload = .empty
        /// For error messages, e.g. `PUT s3://bucket/key`.
        var label: String
        /// Stream a successful response body to a temporary file instead of memory (large GETs).
        var bodyToFile = false
    }

    struct Response {
        var status: Int
        /// Lower-cased names.
        var headers: [String: String]
        var body: Data
        /// The body of a successful `bodyToFile` response; the caller moves or deletes it.
        var bodyFile: URL?
    }

    /// Sends `operation`, retrying retryable failures per the policy; returns a 2xx response or throws.
    func perform(_ operation: Operation) async throws(S3Error) -> Response {
        let policy = configuration.retryPolicy
        var attempt = 1
        while true {
            if Task.isCancelled { throw .cancelled(operation: operation.label) }
            let failure: S3Error
            var retryAfter: Duration?
            do throws(S3Error) {
                let response = try await sendOnce(operation)
                if (200..<300).contains(response.status) { return response }
                failure = classifier.error(status: response.status, body: response.body,
                                           operation: operation.label, key: operation.key)
                retryAfter = response.headers["retry-after"].flatMap(Int.init).map { Duration.seconds($0) }
            } catch {
                failure = error
            }
            guard failure.isRetryable, attempt < policy.maxAttempts else { throw failure }
            let wait = policy.delay(beforeRetry: attempt, unitRandom: Double.random(in: 0...1), retryAfter: retryAfter)
            retryObserver?(failure, attempt, wait)
            do { try await Task.sleep(for: wait) } catch { throw .cancelled(operation: operation.label) }
            attempt += 1
        }
    }

    /// One signed attempt. Throws only for transport failures; HTTP errors come back as responses.
    func sendOnce(_ operation: Operation) async throws(S3Error) -> Response {
        let target = target(key: operation.key)
        var headers = operation.headers
        headers.append(HTTPHeaderField("host", target.host))
        let unsigned = SigV4Request(method: operation.method, path: target.path, query: operation.query, headers: headers)
        let payload: SigV4Payload = configuration.payloadSigning == .unsigned && operation.body != nil
            ? .unsigned : operation.payload
        let signed = signer.sign(unsigned, payload: payload, at: Date())
        var url = target.origin + signed.canonicalURI
        if !signed.canonicalQuery.isEmpty { url += "?" + signed.canonicalQuery }
        guard let requestURL = URL(string: url) else {
            throw .invalidRequest("cannot form a URL for \(operation.label)")
        }
        var request = URLRequest(url: requestURL)
        request.httpMethod = operation.method
        request.timeoutInterval = configuration.requestTimeout
        for header in signed.request.headers where header.name.lowercased() != "host" {
            request.setValue(header.value, forHTTPHeaderField: header.name)
        }
        do {
            var data = Data()
            var file: URL?
            let response: URLResponse
            if let body = operation.body {
                (data, response) = try await session.upload(for: request, from: body)
            } else if operation.bodyToFile {
                (file, response) = try await session.download(for: request)
            } else {
                (data, response) = try await session.data(for: request)
            }
            guard let http = response as? HTTPURLResponse else {
                // try?: cleanup before the error below is thrown
                if let file { try? FileManager.default.removeItem(at: file) }
                throw S3Error.malformedResponse(operation: operation.label, reason: "not an HTTP response")
            }
            if let downloaded = file, !(200..<300).contains(http.statusCode) {
                // An error document, not the object: read it for the error code and drop the file.
                // try?: an unreadable error document still ends as an S3 error with its HTTP status; only its detail is lost
                data = (try? Data(contentsOf: downloaded)) ?? Data()
                // try?: cleanup of the error document's temporary file
                try? FileManager.default.removeItem(at: downloaded)
                file = nil
            }
            var lowered: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String { lowered[name.lowercased()] = value }
            }
            return Response(status: http.statusCode, headers: lowered, body: data, bodyFile: file)
        } catch let error as S3Error {
            throw error
        } catch is CancellationError {
            throw .cancelled(operation: operation.label)
        } catch {
            throw classifier.error(transport: error, operation: operation.label)
        }
    }
}
