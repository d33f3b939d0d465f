import ImagegenCore

/// State shared by the socket loop and its connections. Confined to the socket thread: nothing
/// here is touched from any other thread (cross-thread input arrives through the mailbox).
final class HTTPEventLoopContext {
    let limits: HTTPServerLimits
    let timeouts: (headerRead: UInt64, bodyReadGap: UInt64, bodyTotal: UInt64, idle: UInt64, writeStall: UInt64, linger: UInt64)
    let handler: HTTPHandler
    /// Answers cheap reads in place, without a handler task (`HTTPLoopResponder`).
    let loopResponder: HTTPLoopResponder?
    let auth: BearerTokenAuth?
    let mailbox: HTTPEventLoopMailbox
    let log: (@Sendable (String) -> Void)?
    let counters: HTTPServerCounters
    /// Added to every response that does not set them itself (`HTTPServerConfiguration.defaultHeaders`).
    let defaultHeaders: HTTPHeaders
    let admitsWithoutToken: (@Sendable (HTTPMethod, String, HTTPHeaders) -> Bool)?

    /// Monotonic time of the current loop iteration.
    var now: UInt64 = MonotonicClock.now()
    /// Set by `stop()`: responses close their connection, idle connections are closed.
    let drainingFlag = HTTPDrainingFlag()
    var draining: Bool { drainingFlag.isSet }
    /// One receive buffer for every connection; bytes are copied into the connection's own input.
    var receiveBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    let dateClock = HTTPDateClock()
    /// Connections closed during the current iteration, to be forgotten by the loop.
    var closedConnections: [UInt64] = []

    init(configuration: HTTPServerConfiguration, handler: @escaping HTTPHandler, loopResponder: HTTPLoopResponder?,
         mailbox: HTTPEventLoopMailbox, counters: HTTPServerCounters) {
        self.counters = counters
        let t = configuration.timeouts
        limits = configuration.limits
        timeouts = (t.headerRead.nanoseconds, t.bodyReadGap.nanoseconds, t.bodyTotal.nanoseconds,
                    t.idleKeepAlive.nanoseconds, t.writeStall.nanoseconds, t.lingerClose.nanoseconds)
        self.handler = handler
        self.loopResponder = loopResponder
        auth = configuration.tokens.isEmpty ? nil : BearerTokenAuth(tokens: configuration.tokens)
        self.mailbox = mailbox
        log = configuration.log
        defaultHeaders = configuration.defaultHeaders
        admitsWithoutToken = configuration.admitsWithoutToken
    }
}
