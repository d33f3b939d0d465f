/// Where an image stands in review. Every original starts `pending`; a reviewer approves it or
/// rejects it with a reason. A rejected image leaves the publishing pool (`available`) and is
/// never uploaded as publishable; a reviewer may change a decision (each one is audited).
public enum ReviewState: String, Sendable, Codable, CaseIterable {
    case pending, approved, rejected
}
