/// One image a slot run asks the job queue for.
///
/// `idempotencyKey` (`<occurrence key>#<n>`) is the contract that makes slot runs exactly-once: the
/// queue must create at most one job per key and return the existing job's id when a key is
/// queued again (after a restart between queuing and recording that it was queued).
public struct SlotJobRequest: Sendable, Hashable, Codable {
    public let idempotencyKey: String
    public let occurrenceKey: String
    public let slotID: String
    /// 1-based position within the occurrence.
    public let index: Int
    public let category: String
    public let template: String
    public let model: String?
    public let profile: String?

    public init(idempotencyKey: String, occurrenceKey: String, slotID: String, index: Int,
                category: String, template: String, model: String?, profile: String?) {
        self.idempotencyKey = idempotencyKey
        self.occurrenceKey = occurrenceKey
        self.slotID = slotID
        self.index = index
        self.category = category
        self.template = template
        self.model = model
        self.profile = profile
    }
}
