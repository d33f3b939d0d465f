/// Where a slot run stands. Only `claimed` is not final: a scheduler that finds a claimed run
/// (after a restart) finishes queuing its recorded jobs instead of planning new ones.
public enum SlotRunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Recorded with its planned jobs; queuing not yet confirmed.
    case claimed
    /// All planned jobs are queued (some may have been skipped for budget: see `skippedCount`).
    case queued
    /// A maintenance slot that ran to the end.
    case completed
    /// Nothing could run (the budget allowed no image); the reason is recorded.
    case skipped
    /// The host was down past the slot's end plus the grace period.
    case missed
    /// Queuing or maintenance failed repeatedly; the last error is recorded.
    case failed

    public var isFinal: Bool { self != .claimed }
}

/// Why a slot run started.
public enum SlotRunTrigger: String, Sendable, Hashable, Codable {
    /// Started within its window.
    case scheduled
    /// Started after its window, within the grace period (the host was down or busy).
    case catchUp = "catch_up"
    /// Started by an operator (`imagegen plan run SLOT`).
    case manual
}
