/// What a slot does: queue generation jobs, or run maintenance (post-processing, organisation).
public enum SlotKind: String, Sendable, Hashable, Codable {
    case generate
    case maintenance
}
