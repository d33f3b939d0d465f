/// The arm chosen for one image, and why.
public struct ArmAssignment: Codable, Sendable, Hashable {
    public enum Phase: String, Codable, Sendable {
        /// Not every arm has enough outcomes yet: arms take turns.
        case exploring
        /// Every arm has enough outcomes: Thompson sampling on the posteriors.
        case thompson
    }

    public var arm: String
    public var phase: Phase

    public init(arm: String, phase: Phase) {
        self.arm = arm
        self.phase = phase
    }
}
