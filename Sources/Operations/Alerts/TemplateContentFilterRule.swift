import Foundation
import Catalog

/// "Template content-filtered repeatedly": among a template's last `window` judged attempts, at
/// least `minFiltered` were refused by a provider's content filter. Clears when enough later
/// attempts pass for the count to drop under the threshold.
public struct TemplateContentFilterRule: AlertRule {
    public let name = "TemplateContentFiltered"
    public var window: Int
    public var minFiltered: Int

    public init(window: Int = 10, minFiltered: Int = 3) {
        self.window = window
        self.minFiltered = minFiltered
    }

    public func evaluate(_ inputs: AlertInputs, now: Date) -> [AlertCondition] {
        let judged = inputs.records.filter { $0.template != nil && $0.outcome != .cancelled }
        return Dictionary(grouping: judged, by: { $0.template! }).sorted { $0.key < $1.key }.compactMap { template, records in
            let recent = records.sorted { $0.finishedAt < $1.finishedAt }.suffix(window)
            let filtered = recent.count { $0.outcome == .contentFiltered }
            guard filtered >= minFiltered else { return nil }
            return AlertCondition(rule: name, subject: template, severity: .warning,
                message: "template \(template) was content-filtered in \(filtered) of its last \(recent.count) attempts; review its prompt or move it to a provider whose policy allows it")
        }
    }
}
