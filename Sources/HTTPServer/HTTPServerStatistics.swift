import Synchronization

/// A snapshot of what the server did, for `/metrics`. Requests answered by the server itself —
/// protocol errors, 401s, timeouts — never reach a handler, so only these counters see them.
package struct HTTPServerStatistics: Sendable, Hashable {
    package var connectionsAccepted: Int
    package var connectionsOpen: Int
    /// Requests handed to the handler, or answered in its place on the socket thread.
    package var requestsHandled: Int
    /// Requests refused by the server before any handler ran (4xx/5xx from parsing, limits, 501).
    package var requestsRejected: Int
    /// Requests refused for a missing or wrong bearer token.
    package var requestsUnauthorized: Int
    /// Connections closed by a header, body, idle or write deadline.
    package var timeouts: Int
    /// Connections with no request in progress closed to admit a new client (connection cap or
    /// per-address limit), and new connections refused by the per-address limit.
    package var connectionsReclaimed: Int = 0
    /// Of `requestsHandled`, those answered on the socket thread (`HTTPLoopResponder`).
    package var requestsAnsweredOnLoop: Int = 0
}

/// The live counters behind `HTTPServerStatistics`: relaxed atomics, written by the socket thread.
final class HTTPServerCounters: Sendable {
    let connectionsAccepted = Atomic<Int>(0)
    let connectionsOpen = Atomic<Int>(0)
    let requestsHandled = Atomic<Int>(0)
    let requestsRejected = Atomic<Int>(0)
    let requestsUnauthorized = Atomic<Int>(0)
    let timeouts = Atomic<Int>(0)
    let connectionsReclaimed = Atomic<Int>(0)
    let requestsAnsweredOnLoop = Atomic<Int>(0)

    static func increment(_ counter: borrowing Atomic<Int>) {
        counter.add(1, ordering: .relaxed)
    }

    var snapshot: HTTPServerStatistics {
        HTTPServerStatistics(
            connectionsAccepted: connectionsAccepted.load(ordering: .relaxed),
            connectionsOpen: connectionsOpen.load(ordering: .relaxed),
            requestsHandled: requestsHandled.load(ordering: .relaxed),
            requestsRejected: requestsRejected.load(ordering: .relaxed),
            requestsUnauthorized: requestsUnauthorized.load(ordering: .relaxed),
            timeouts: timeouts.load(ordering: .relaxed),
            connectionsReclaimed: connectionsReclaimed.load(ordering: .relaxed),
            requestsAnsweredOnLoop: requestsAnsweredOnLoop.load(ordering: .relaxed))
    }
}
