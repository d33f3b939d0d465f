import Foundation
import ImagegenJSON
import ImagegenConfig

/// The generation plan as the operator configures it: the `plans` section of the config file,
/// or the product's plan when there is none.
///
/// The section holds a plan in the format of `GenerationPlan` (see docs/operations.md), plus:
/// - `enabled: false` turns the scheduler off in `imagegen serve` (the plan still lists);
/// - snake_case spellings of the plan's keys (`time_zone`, `catch_up_grace_minutes`,
///   `replaces_daily`) are accepted, like everywhere else in the config file.
/// The time zone is required: a plan without one is refused rather than run in the server's zone.
public struct PlanConfiguration: Sendable {
    public var plan: GenerationPlan
    /// Whether `imagegen serve` runs the scheduler.
    public var enabled: Bool
    /// True when the plan came from the config file, false for the embedded product plan.
    public var fromConfig: Bool

    public init(plan: GenerationPlan, enabled: Bool = true, fromConfig: Bool = false) {
        self.plan = plan
        self.enabled = enabled
        self.fromConfig = fromConfig
    }

    /// Reads `configuration.sections["plans"]`.
    public init(configuration: Configuration) throws(GenerationPlanError) {
        guard let section = configuration.sections["plans"] else {
            self.init(plan: .productDefault)
            return
        }
        guard var object = section.object else {
            throw .malformed(reason: "the plans section must be an object with timeZone, daily and weekly")
        }
        let enabled = object.removeValue(forKey: "enabled")
        if let enabled, enabled.bool == nil {
            throw .malformed(reason: "plans.enabled must be true or false")
        }
        let planKeys = Set(object.keys).subtracting(["enabled"])
        if planKeys.isEmpty {
            // Only `enabled`: the product's plan, switched on or off.
            self.init(plan: .productDefault, enabled: enabled?.bool ?? true)
            return
        }
        let normalised = Self.camelCased(.object(object))
        let plan = try GenerationPlan.decode(normalised.encoded())
        self.init(plan: plan, enabled: enabled?.bool ?? true, fromConfig: true)
    }

    /// The plan's own keys in camelCase; slot fields and values are left as they are.
    static let aliases = ["time_zone": "timeZone", "catch_up_grace_minutes": "catchUpGraceMinutes",
                          "replaces_daily": "replacesDaily"]

    private static func camelCased(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(Dictionary(members.map { (aliases[$0.key] ?? $0.key, camelCased($0.value)) },
                                      uniquingKeysWith: { first, _ in first }))
        case .array(let items):
            return .array(items.map(camelCased))
        default:
            return value
        }
    }
}
