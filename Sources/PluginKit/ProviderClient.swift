import Foundation

/// One provider's HTTP API as a plugin talks to it: the base URL, the key (as a
/// `${secret:NAME}` placeholder the host fills in, so the plugin never holds it), and the
/// classification of every answer into the ABI's statuses with a message a user understands.
///
/// The rule it enforces: a request that creates paid work is sent once. When no complete
/// answer comes back (connection dropped, timeout, a 2xx whose body cannot be read, a gateway
/// error) the outcome is unknown and is reported as `.timeout`, which the host never resends
/// on its own; `.provider` is kept for answers that prove the provider did not take the job.
public struct ProviderClient: Sendable {
    /// How the key travels.
    public struct Auth: Sendable {
        /// Header name, e.g. "Authorization" or "mj-api-secret".
        public var header: String
        /// Scheme before the key ("Bearer"), or nil for the bare key.
        public var scheme: String?
        /// The host secret's name, e.g. "REPLICATE_API_TOKEN".
        public var secretName: String

        public init(header: String = "Authorization", scheme: String? = "Bearer", secretName: String) {
            self.header = header
            self.scheme = scheme
            self.secretName = secretName
        }
    }

    /// What a request does, which decides how an unclear outcome is classified.
    public enum Intent: Sendable {
        /// Starts paid work (a POST that creates a job): never repeated when the outcome is unknown.
        case create
        /// Reads state or bytes: safe to repeat.
        case read
        /// Asks the provider to stop a job: idempotent.
        case cancel
    }

    public let host: HostServices
    /// The provider's display name for messages ("Replicate").
    public let provider: String
    public let baseURL: String
    public let auth: Auth
    /// Whole-request timeout when the caller gives none.
    public let timeoutMilliseconds: Int
    /// Pulls the human-readable reason out of an error body (each API has its own shape).
    public let describeError: @Sendable (HostServices.HTTPResponse) -> String?

    public init(host: HostServices, provider: String, baseURL: String, auth: Auth, timeoutMilliseconds: Int,
                describeError: @escaping @Sendable (HostServices.HTTPResponse) -> String?) {
        self.host = host
        self.provider = provider
        self.baseURL = baseURL
        self.auth = auth
        self.timeoutMilliseconds = timeoutMilliseconds
        self.describeError = describeError
    }

    /// `path` resolved against the base URL; absolute URLs pass through.
    public func url(_ path: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        return baseURL + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// The auth header with the placeholder the host replaces after logging.
    public var authHeader: (String, String) {
        let placeholder = "${secret:\(auth.secretName)}"
        return (auth.header, auth.scheme.map { "\($0) \(placeholder)" } ?? placeholder)
    }

    /// Fails with `.auth` naming the variable when the key is not set, before anything is sent.
    public func requireKey() throws(ProviderError) {
        guard host.hasSecret(auth.secretName) else {
            throw ProviderError(.auth, "\(provider): the API key \(auth.secretName) is not set. Export "
                                + "\(auth.secretName)=... or add it to the host's secrets file, then retry; "
                                + "other providers keep working meanwhile")
        }
    }

    /// Whether a URL belongs to the provider's API host, i.e. may receive the key. Output
    /// files on other hosts (CDNs) are fetched without it, so the key never leaves for a
    /// host the operator did not configure.
    public func isOwnHost(_ absoluteURL: String) -> Bool {
        guard let a = URLComponents(string: absoluteURL), let b = URLComponents(string: baseURL) else { return false }
        return a.host?.lowercased() == b.host?.lowercased() && a.port == b.port && a.scheme == b.scheme
    }

    /// Sends one request and returns the answer, whatever its status. A transport failure
    /// throws: `.provider` when nothing was sent, `.timeout` when the request may have arrived.
    /// - Parameters:
    ///   - purpose: what the request does, for messages ("create the prediction").
    ///   - authenticated: adds the key header (the key is checked first).
    public func send(_ method: String, _ path: String, intent: Intent, purpose: String,
                     headers: [(String, String)] = [], body: [UInt8]? = nil, authenticated: Bool = true,
                     timeoutMilliseconds: Int? = nil) throws(ProviderError) -> HostServices.HTTPResponse {
        var all = headers
        if authenticated {
            try requireKey()
            all.append(authHeader)
        }
        do {
            return try host.http(method, url(path), headers: all, body: body,
                                 timeoutMilliseconds: timeoutMilliseconds ?? self.timeoutMilliseconds)
        } catch {
            switch error.status {
            case .timeout where intent == .create:
                throw ProviderError(.timeout, "\(provider): no complete answer to the request to \(purpose) (\(error.message)); "
                                    + "it may have been received, so it is not sent again automatically")
            case .timeout:
                throw ProviderError(.timeout, "\(provider): no complete answer to the request to \(purpose) (\(error.message))")
            case .provider:
                throw ProviderError(.provider, "\(provider): could not send the request to \(purpose) (\(error.message)); nothing was sent")
            default:
                throw ProviderError(error.status, "\(provider): \(purpose): \(error.message)",
                                    retryAfterMilliseconds: error.retryAfterMilliseconds)
            }
        }
    }

    /// Throws the classified error for a non-2xx answer; returns for 2xx.
    /// - Parameter override: a provider-specific class for a documented case (return nil to keep the default).
    public func check(_ response: HostServices.HTTPResponse, intent: Intent, purpose: String,
                      override: ((HostServices.HTTPResponse, String?) -> ProviderStatus?)? = nil) throws(ProviderError) {
        guard !(200...299).contains(response.status) else { return }
        throw error(for: response, intent: intent, purpose: purpose, override: override)
    }

    /// The classified error for a non-2xx answer.
    public func error(for response: HostServices.HTTPResponse, intent: Intent, purpose: String,
                      override: ((HostServices.HTTPResponse, String?) -> ProviderStatus?)? = nil,
                      defaultRetryAfterMilliseconds: Int? = nil) -> ProviderError {
        let detail = describeError(response).map { Self.clip($0) }
        let status = override?(response, detail) ?? ProviderStatus.classify(httpStatus: response.status, creating: intent == .create)
        var retry: Int?
        if status == .rateLimited || status == .provider {
            retry = RetryAfter.milliseconds(response.header("retry-after"), nowMilliseconds: host.nowMilliseconds())
                ?? (status == .rateLimited ? defaultRetryAfterMilliseconds : nil)
        }
        var message = "\(provider) answered HTTP \(response.status) to the request to \(purpose)"
        if let detail, !detail.isEmpty { message += ": \(detail)" }
        switch status {
        case .auth:
            message += ". Check that \(auth.secretName) holds a valid key for \(provider)"
        case .quota:
            message += ". The \(provider) account is out of credit or quota; top it up (other providers are tried meanwhile)"
        case .rateLimited:
            message += retry.map { ". Throttled: retry after \(Self.seconds($0))" } ?? ". Throttled: retry later"
        case .timeout:
            message += ". The job may exist at \(provider) behind its gateway, so it is not sent again automatically"
        case .unsupported:
            message += ". The model or endpoint is not available at \(provider) (check the provider model id and base_url)"
        default:
            break
        }
        return ProviderError(status, message, retryAfterMilliseconds: retry)
    }

    /// Parses a 2xx JSON body. A body that is not JSON after a create means the job may exist
    /// but cannot be tracked (`.timeout`); after a read it is a retryable `.provider` error.
    public func json(_ response: HostServices.HTTPResponse, intent: Intent, purpose: String) throws(ProviderError) -> JSONValue {
        if let value = response.json, value.object != nil || value.array != nil { return value }
        let what = "\(provider) answered HTTP \(response.status) to the request to \(purpose), but the body is not valid JSON "
            + "(\(response.body.count) bytes: \"\(Self.clip(response.text, 60))\")"
        if intent == .create {
            throw ProviderError(.timeout, what + "; the job may have been created, so it is not sent again automatically")
        }
        throw ProviderError(.provider, what)
    }

    static func clip(_ s: String, _ limit: Int = 300) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        return flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
    }

    static func seconds(_ ms: Int) -> String {
        ms % 1000 == 0 ? "\(ms / 1000) s" : String(format: "%.1f s", Double(ms) / 1000)
    }
}
