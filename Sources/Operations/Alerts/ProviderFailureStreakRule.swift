import Foundation
import Catalog

/// "More than 3 consecutive failures of a provider" (the product's rule; threshold configurable).
///
/// Counts a provider's failed attempts since its last success. Content-filtered and cancelled
/// attempts say nothing about the provider's health and neither extend nor break the streak.
/// Clears at the provider's next success.
public struct ProviderFailureStreakRule: AlertRule {
    public let name = "ProviderFailing"
    public var threshold: Int

    public init(threshold: Int = 3) { self.threshold = threshold }

    public func evaluate(_ inputs: AlertInputs, now: Date) -> [AlertCondition] {
        inputs.recordsByProvider().sorted { $0.key < $1.key }.compactMap { provider, records in
            var streak = 0
            var last: GenerationRecord?
            for record in records.reversed() {
                if record.outcome == .succeeded { break }
                if record.outcome == .failed {
                    streak += 1
                    last = last ?? record
                }
            }
            guard streak > threshold, let last else { return nil }
            let kind = last.failureKind?.rawValue ?? "provider_error"
            return AlertCondition(rule: name, subject: provider, severity: .critical,
                message: "provider \(provider) failed \(streak) times in a row (more than \(threshold)); last failure \(kind) on model \(last.model)")
        }
    }
}
