import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ImagegenCore

/// The HTTP client behind the host table's `http` service. Plugins call it synchronously from
/// the host's plugin threads (never from the Swift cooperative pool), so it blocks on a
/// semaphore while URLSession works on its own queue.
///
/// It substitutes `${secret:NAME}` in header values after anything is logged, so a key is
/// never in a log line even at debug level.
public final class PluginHTTPClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data
    }

    public enum Failure: Error, Sendable {
        /// Nothing was sent (bad URL, connection refused, DNS): safe to retry.
        case notSent(String)
        /// The request may have been received (timeout, connection dropped mid-response).
        case outcomeUnknown(String)
    }

    let session: URLSession
    let secrets: any SecretSource
    let defaultTimeout: TimeInterval
    let log: Log
    /// The longest `timeout_ms` honoured: a longer one is cut to this, so one request cannot
    /// hold a plugin thread (and a runner slot) for days.
    public static let maximumTimeout: TimeInterval = 300

    public init(secrets: any SecretSource, log: Log, defaultTimeout: TimeInterval = 60) {
        let config = URLSessionConfiguration.ephemeral
        config.httpMaximumConnectionsPerHost = 16
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.urlCache = nil
        config.httpCookieStorage = nil
        session = URLSession(configuration: config)
        self.secrets = secrets
        self.defaultTimeout = defaultTimeout
        self.log = log
    }

    /// Performs the request; failure messages (which may quote the URL) go through the log's
    /// redaction, so a key in a query string never reaches the plugin's error or the catalog.
    public func perform(method: String, url: String, headers: [(String, String)], body: Data?,
                        timeoutMilliseconds: Int, source: String) -> Result<Response, Failure> {
        performUnredacted(method: method, url: url, headers: headers, body: body, timeoutMilliseconds: timeoutMilliseconds,
                          source: source).mapError { failure in
            switch failure {
            case .notSent(let message): return .notSent(log.redact(message))
            case .outcomeUnknown(let message): return .outcomeUnknown(log.redact(message))
            }
        }
    }

    private func performUnredacted(method: String, url: String, headers: [(String, String)], body: Data?,
                                   timeoutMilliseconds: Int, source: String) -> Result<Response, Failure> {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return .failure(.notSent("invalid URL \"\(url)\": only absolute http(s) URLs are allowed"))
        }
        var request = URLRequest(url: u)
        request.httpMethod = method
        request.timeoutInterval = min(timeoutMilliseconds > 0 ? Double(timeoutMilliseconds) / 1000 : defaultTimeout,
                                      PluginHTTPClient.maximumTimeout)
        for (name, value) in headers {
            switch substituteSecrets(value) {
            case .success(let v): request.addValue(v, forHTTPHeaderField: name)
            case .failure(let missing):
                return .failure(.notSent("the secret \(missing) is not set: export \(missing)=... or add it to the secrets file"))
            }
        }
        if let body { request.httpBody = body }
        log.debug("\(method) \(url)", source: source)

        final class Box: @unchecked Sendable { var result: Result<Response, Failure>? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse, error == nil {
                let headers = http.allHeaderFields.map { (String(describing: $0.key).lowercased(), String(describing: $0.value)) }
                box.result = .success(Response(status: http.statusCode, headers: headers, body: data ?? Data()))
            } else {
                box.result = .failure(PluginHTTPClient.classify(error))
            }
            done.signal()
        }
        task.resume()
        // URLSession enforces the timeout; the extra wait only guards against a lost callback.
        if done.wait(timeout: .now() + request.timeoutInterval + 5) == .timedOut {
            task.cancel()
            return .failure(.outcomeUnknown("no response within \(Int(request.timeoutInterval)) s"))
        }
        return box.result ?? .failure(.outcomeUnknown("no response"))
    }

    static func classify(_ error: (any Error)?) -> Failure {
        guard let e = error as? URLError else { return .outcomeUnknown(error.map { "\($0)" } ?? "no response") }
        switch e.code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .badURL, .unsupportedURL, .notConnectedToInternet:
            return .notSent("cannot connect (\(e.code.rawValue)): \(e.localizedDescription)")
        case .timedOut:
            return .outcomeUnknown("timed out")
        default:
            return .outcomeUnknown("connection failed (\(e.code.rawValue)): \(e.localizedDescription)")
        }
    }

    /// Replaces `${secret:NAME}`; fails with the missing name.
    func substituteSecrets(_ value: String) -> Result<String, SecretMissing> {
        guard value.contains("${secret:") else { return .success(value) }
        var out = ""
        var rest = Substring(value)
        while let start = rest.range(of: "${secret:") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { out += rest[start.lowerBound...]; rest = ""; break }
            let name = String(rest[start.upperBound..<end])
            guard let secret = secrets.secret(named: name) else { return .failure(SecretMissing(name: name)) }
            out += secret
            rest = rest[rest.index(after: end)...]
        }
        return .success(out + rest)
    }

    struct SecretMissing: Error, CustomStringConvertible {
        var name: String
        var description: String { name }
    }
}
