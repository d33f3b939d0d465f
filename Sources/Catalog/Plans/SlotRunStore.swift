import Foundation

/// Persistence for slot runs: the catalog implements it on its `slot_runs` table
/// (`occurrence_key` PRIMARY KEY); `InMemorySlotRunStore` implements it for tests.
///
/// Calls are synchronous and each must be atomic and durable when it returns (a committed
/// transaction), because the scheduler's exactly-once guarantee is "commit, then act".
public protocol SlotRunStore: Sendable {
    /// Inserts `run` unless a run with the same occurrence key exists. Returns true when inserted.
    /// Must be atomic (e.g. `INSERT … ON CONFLICT(occurrence_key) DO NOTHING` and check the change count).
    func insertIfAbsent(_ run: SlotRun) throws -> Bool
    /// The run with this occurrence key, if recorded.
    func run(occurrenceKey: String) throws -> SlotRun?
    /// Replaces the stored run with the same occurrence key if its stored status is still
    /// `expected`, atomically; false when another scheduler moved it on first (two hosts resuming
    /// the same claimed run must not both report it). Throws if there is none.
    @discardableResult
    func update(_ run: SlotRun, from expected: SlotRunStatus) throws -> Bool
    /// Runs in a given status (the scheduler asks for `claimed` ones on every tick).
    func runs(status: SlotRunStatus) throws -> [SlotRun]
    /// Runs whose scheduled start is at or after `since` (all when nil), newest first, at most `limit`.
    func history(since: Date?, limit: Int) throws -> [SlotRun]
}

/// Why a slot-run store call failed.
public enum SlotRunStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(occurrenceKey: String)

    public var description: String {
        switch self {
        case let .notFound(key):
            return "no slot run recorded for occurrence '\(key)'; it must be inserted before it is updated"
        }
    }
}
