/// Per-phase deadlines. Each phase has its own clock so that a slow client can hold a connection
/// only for a bounded time, whatever it trickles (`reference/http-server.md` §7).
package struct HTTPServerTimeouts: Sendable, Hashable {
    /// Absolute time for the whole request head, from its first byte (or from accept, for the
    /// first request of a connection) — a per-read timer alone is defeated by trickling. → 408, close.
    package var headerRead: Duration = .seconds(10)
    /// Longest gap between two reads of the body. → 408, close.
    package var bodyReadGap: Duration = .seconds(30)
    /// Absolute cap on reading one body. → 408, close.
    package var bodyTotal: Duration = .seconds(300)
    /// Idle time allowed between keep-alive requests; the connection is then closed silently.
    package var idleKeepAlive: Duration = .seconds(30)
    /// Longest time a response write may make no progress (client not reading). → close.
    package var writeStall: Duration = .seconds(60)
    /// After an error response, how long unread client data is drained before closing, so the
    /// kernel does not reset the connection and destroy the response in flight (§8.6).
    package var lingerClose: Duration = .seconds(2)
    /// Default time `stop()` lets in-flight requests finish before closing them.
    package var shutdownGrace: Duration = .seconds(10)

    package init() {}

    package static let `default` = HTTPServerTimeouts()
}
