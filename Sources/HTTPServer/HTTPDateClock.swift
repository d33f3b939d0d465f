import Synchronization

/// The current `Date` header line, shared by the socket thread and handler tasks; formatted
/// once per second.
final class HTTPDateClock: Sendable {
    private let cache = Mutex(HTTPDateHeader())

    func currentLine() -> [UInt8] {
        cache.withLock { $0.currentLine() }
    }
}
