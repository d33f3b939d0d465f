import Synchronization

/// Set once when the server starts draining; read by handler tasks so that a response finished
/// during shutdown says `Connection: close`.
final class HTTPDrainingFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}
