/// Everything an `HTTPServer` needs besides its handler.
package struct HTTPServerConfiguration: Sendable {
    package var listen: HTTPListenAddress
    package var limits: HTTPServerLimits
    package var timeouts: HTTPServerTimeouts
    /// Open connections at most (nginx `worker_connections`). At the cap a new client is admitted
    /// by closing the oldest connection with no request in progress (idle keep-alive first, then
    /// one still sending its head: slowloris); when every connection has a request in progress,
    /// the listener is not polled and further clients wait in the kernel's backlog.
    package var maxConnections: Int
    /// Open connections from one client address at most (the port is not part of it). A new
    /// connection over the limit closes that address's oldest connection with no request in
    /// progress, or is closed itself when there is none. nil: only `maxConnections` applies.
    package var maxConnectionsPerAddress: Int?
    /// `listen(2)` backlog (the kernel caps it at `net.core.somaxconn`).
    package var listenBacklog: Int32
    /// Accepted bearer tokens by name. When any is set, every request must carry
    /// `Authorization: Bearer <token>` with one of them, checked before its body is read; the
    /// handler sees the matched token's name as `HTTPRequest.bearerTokenName`.
    package var tokens: [String: BearerToken]
    /// The token named `BearerTokenAuth.defaultName`: the single-token form of `tokens`.
    package var token: BearerToken? {
        get { tokens[BearerTokenAuth.defaultName] }
        set { tokens[BearerTokenAuth.defaultName] = newValue }
    }
    /// Demands a token even on a loopback listener. A non-loopback listener always demands one.
    package var requireToken: Bool
    /// Headers added to every response, the server's own refusals included (401, 400, 408…),
    /// unless the handler set the same header: the security headers (`HTTPSecurityHeaders`).
    package var defaultHeaders: HTTPHeaders = HTTPSecurityHeaders.strict
    /// Lets a request without an accepted bearer token through to the handler, which then must
    /// authenticate it itself (a session cookie, a login). Decided from the head, before any body
    /// is read; nil: every request needs a token when tokens are set.
    package var admitsWithoutToken: (@Sendable (HTTPMethod, String, HTTPHeaders) -> Bool)?
    /// Receives operational messages (start, stop, accept failures). Never receives secrets or bodies.
    package var log: (@Sendable (String) -> Void)?

    package init(
        listen: HTTPListenAddress = .loopback(port: 8080),
        limits: HTTPServerLimits = .default,
        timeouts: HTTPServerTimeouts = .default,
        maxConnections: Int = 512,
        maxConnectionsPerAddress: Int? = nil,
        listenBacklog: Int32 = 511,
        token: BearerToken? = nil,
        tokens: [String: BearerToken] = [:],
        requireToken: Bool = false,
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.listen = listen
        self.limits = limits
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.listenBacklog = listenBacklog
        self.tokens = tokens
        if let token { self.tokens[BearerTokenAuth.defaultName] = token }
        self.requireToken = requireToken
        self.log = log
    }

    /// Whether this configuration must refuse to start for lack of a token.
    var lacksRequiredToken: Bool {
        tokens.isEmpty && (requireToken || !listen.isLoopback)
    }
}
