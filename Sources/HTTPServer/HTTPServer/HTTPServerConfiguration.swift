/// Everything an `HTTPServer` needs besides its handler.
public struct HTTPServerConfiguration: Sendable {
    public var listen: HTTPListenAddress
    public var limits: HTTPServerLimits
    public var timeouts: HTTPServerTimeouts
    /// Open connections at most; at the cap the listener is not polled, so further clients wait
    /// in the kernel's backlog instead of consuming descriptors (nginx `worker_connections`).
    public var maxConnections: Int
    /// `listen(2)` backlog (the kernel caps it at `net.core.somaxconn`).
    public var listenBacklog: Int32
    /// When set, every request must carry `Authorization: Bearer <token>`, checked before its body is read.
    public var token: BearerToken?
    /// Demands a token even on a loopback listener. A non-loopback listener always demands one.
    public var requireToken: Bool
    /// Receives operational messages (start, stop, accept failures). Never receives secrets or bodies.
    public var log: (@Sendable (String) -> Void)?

    public init(
        listen: HTTPListenAddress = .loopback(port: 8080),
        limits: HTTPServerLimits = .default,
        timeouts: HTTPServerTimeouts = .default,
        maxConnections: Int = 512,
        listenBacklog: Int32 = 511,
        token: BearerToken? = nil,
        requireToken: Bool = false,
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.listen = listen
        self.limits = limits
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.listenBacklog = listenBacklog
        self.token = token
        self.requireToken = requireToken
        self.log = log
    }

    /// Whether this configuration must refuse to start for lack of a token.
    var lacksRequiredToken: Bool {
        token == nil && (requireToken || !listen.isLoopback)
    }
}
