import Synchronization

/// How many `GET /v1/events` streams may be open at once. Each holds a connection for as long as
/// it lasts, so without a bound a page left open in many tabs (or a hostile client) could take
/// every connection the server admits; the limit is a quarter of `server.max_connections`.
final class EventStreamSlots: Sendable {
    private let state: Mutex<(open: Int, limit: Int)>

    init(limit: Int) { state = Mutex((0, max(1, limit))) }

    var limit: Int { state.withLock { $0.limit } }
    var open: Int { state.withLock { $0.open } }

    func setLimit(_ limit: Int) { state.withLock { $0.limit = max(1, limit) } }

    /// Takes a slot; false when all are taken.
    func acquire() -> Bool {
        state.withLock { s in
            guard s.open < s.limit else { return false }
            s.open += 1
            return true
        }
    }

    func release() { state.withLock { $0.open = max(0, $0.open - 1) } }
}
