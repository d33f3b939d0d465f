import Synchronization

/// The entries a request wrote that must be on disk before its response leaves
/// (`AuditTrail.acknowledging`). A task-local, so the entries recorded anywhere below the
/// request's handler find it. Once the scope has closed — a task the request started outlives
/// it — `expectEntry` says no, and the entry is synced by `record` itself.
final class AuditAcknowledgement: Sendable {
    @TaskLocal static var current: AuditAcknowledgement?

    private let state = Mutex((open: true, pending: false))

    /// Notes that an entry written under the scope needs the sync; false once closed.
    func expectEntry() -> Bool {
        state.withLock { state in
            guard state.open else { return false }
            state.pending = true
            return true
        }
    }

    /// Closes the scope; returns whether an entry is waiting for the sync.
    func close() -> Bool {
        state.withLock { state in
            state.open = false
            return state.pending
        }
    }
}
