/// The arm chosen for one image, and why.
package struct ArmAssignment: Codable, Sendable, Hashable {
    package enum Phase: String, Codable, Sendable {
        /// Not every arm has enough outcomes yet: arms take turns.
        case exploring
        /// Every arm has enough outcomes: Thompson sampling on the posteriors.
        case thompson
    }

    package var arm: String
    package var phase: Phase

    package init(arm: String, phase: Phase) {
        self.arm = arm
        self.phase = phase
    }
}
