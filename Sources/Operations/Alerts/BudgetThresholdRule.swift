import Foundation
import Catalog

/// "Daily budget 80% reached" (warning) and "daily budget exceeded" (critical).
///
/// Both are separate conditions: at 100% the 80% alert is still active (it fired earlier, once)
/// and the exceeded alert fires once more. They clear when the period rolls over and spending falls.
public struct BudgetThresholdRule: AlertRule {
    public let name = "Budget"
    public var warnRatio: Double
    /// Budgets to watch by name; nil watches all of them.
    public var budgetNames: Set<String>?

    public init(warnRatio: Double = 0.8, budgetNames: Set<String>? = nil) {
        self.warnRatio = warnRatio
        self.budgetNames = budgetNames
    }

    public func evaluate(_ inputs: AlertInputs, now: Date) -> [AlertCondition] {
        inputs.budgets.filter { budgetNames?.contains($0.name) ?? true }.flatMap { b -> [AlertCondition] in
            let ratio = b.usedRatio
            let figures = "\(AlertFormat.fixed(b.spent + b.reserved, 2)) of \(AlertFormat.fixed(b.limit, 2)) USD (\(Int((ratio * 100).rounded(.down)))%)"
            var out: [AlertCondition] = []
            if ratio >= warnRatio {
                out.append(AlertCondition(rule: "BudgetNearlySpent", subject: b.name, severity: .warning,
                    message: "budget \(b.name) has used \(figures), past the \(Int(warnRatio * 100))% mark"))
            }
            if ratio >= 1 {
                out.append(AlertCondition(rule: "BudgetExceeded", subject: b.name, severity: .critical,
                    message: "budget \(b.name) is spent: \(figures); new generations are refused until it resets or is raised"))
            }
            return out
        }
    }
}
