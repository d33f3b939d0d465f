import Foundation
import Catalog

/// A condition over the host's state. Rules are pure: given the same inputs and instant they
/// report the same conditions; the engine turns conditions into alerts without storms.
public protocol AlertRule: Sendable {
    /// The rule name used in alert ids (CamelCase).
    var name: String { get }
    /// The conditions that hold now, one per subject.
    func evaluate(_ inputs: AlertInputs, now: Date) -> [AlertCondition]
}
