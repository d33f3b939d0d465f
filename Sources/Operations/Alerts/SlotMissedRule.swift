import Foundation
import Catalog

/// "A scheduled slot was missed": a slot's latest recorded occurrence is `missed`.
/// It clears when a later occurrence of the same slot runs (scheduled, caught up or manual).
public struct SlotMissedRule: AlertRule {
    public let name = "SlotMissed"

    public init() {}

    public func evaluate(_ inputs: AlertInputs, now: Date) -> [AlertCondition] {
        Dictionary(grouping: inputs.slotRuns, by: \.slotID).sorted { $0.key < $1.key }.compactMap { slot, runs in
            guard let latest = runs.max(by: { ($0.scheduledStart, $0.recordedAt) < ($1.scheduledStart, $1.recordedAt) }),
                  latest.status == .missed else { return nil }
            let formatter = ISO8601DateFormatter()
            return AlertCondition(rule: name, subject: slot, severity: .warning,
                message: "slot \(slot) missed occurrence \(latest.occurrenceKey) (window \(formatter.string(from: latest.scheduledStart)) – \(formatter.string(from: latest.scheduledEnd))): the host was not running within the catch-up grace; run it with `imagegen plan run \(slot)` if still wanted")
        }
    }
}
