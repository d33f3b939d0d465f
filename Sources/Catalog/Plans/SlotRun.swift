import Foundation

/// The record of one slot occurrence: written before any job is queued, and the only truth about
/// whether that occurrence has run. The store keeps at most one per `occurrenceKey`.
public struct SlotRun: Sendable, Hashable, Codable {
    public var occurrenceKey: String
    public var slotID: String
    public var kind: SlotKind
    public var scheduledStart: Date
    public var scheduledEnd: Date
    public var trigger: SlotRunTrigger
    public var status: SlotRunStatus
    public var recordedAt: Date
    public var updatedAt: Date
    /// The count chosen for this occurrence (range resolved by the occurrence seed).
    public var requestedCount: Int
    /// The jobs this run queues (those that fit the budget), in order.
    public var plannedJobs: [SlotJobRequest]
    /// Images not run, and why (e.g. the budget).
    public var skippedCount: Int
    public var skipReason: String?
    /// Ids the queue returned for `plannedJobs`.
    public var jobIDs: [String]
    /// Failed attempts to queue or to run the maintenance.
    public var attempts: Int
    public var lastError: String?

    public init(occurrenceKey: String, slotID: String, kind: SlotKind, scheduledStart: Date, scheduledEnd: Date,
                trigger: SlotRunTrigger, status: SlotRunStatus, recordedAt: Date, requestedCount: Int = 0,
                plannedJobs: [SlotJobRequest] = [], skippedCount: Int = 0, skipReason: String? = nil,
                jobIDs: [String] = [], attempts: Int = 0, lastError: String? = nil) {
        self.occurrenceKey = occurrenceKey
        self.slotID = slotID
        self.kind = kind
        self.scheduledStart = scheduledStart
        self.scheduledEnd = scheduledEnd
        self.trigger = trigger
        self.status = status
        self.recordedAt = recordedAt
        self.updatedAt = recordedAt
        self.requestedCount = requestedCount
        self.plannedJobs = plannedJobs
        self.skippedCount = skippedCount
        self.skipReason = skipReason
        self.jobIDs = jobIDs
        self.attempts = attempts
        self.lastError = lastError
    }
}
