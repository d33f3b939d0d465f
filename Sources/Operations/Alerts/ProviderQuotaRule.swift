import Foundation
import Catalog

/// "Provider quota approaching": a prepaid balance under its threshold, a high share of 429
/// answers in the recent window, a configured account limit nearly used, or quota errors.
/// Each is its own subject (`<provider>:balance`, `:rate_limited`, `:account_limit`, `:quota`).
public struct ProviderQuotaRule: AlertRule {
    public let name = "ProviderQuota"
    /// Alert when a provider's balance is below this (in the balance's own unit).
    public var balanceThresholds: [String: Double]
    /// Share of attempts answered 429 within `rateWindow` that alerts, given at least `minAttempts`.
    public var maxRateLimitedRatio: Double
    public var rateWindow: TimeInterval
    public var minAttempts: Int
    /// Share of a configured account limit that alerts.
    public var accountLimitRatio: Double

    public init(balanceThresholds: [String: Double] = [:], maxRateLimitedRatio: Double = 0.2,
                rateWindow: TimeInterval = 15 * 60, minAttempts: Int = 10, accountLimitRatio: Double = 0.9) {
        self.balanceThresholds = balanceThresholds
        self.maxRateLimitedRatio = maxRateLimitedRatio
        self.rateWindow = rateWindow
        self.minAttempts = minAttempts
        self.accountLimitRatio = accountLimitRatio
    }

    public func evaluate(_ inputs: AlertInputs, now: Date) -> [AlertCondition] {
        var out: [AlertCondition] = []
        for balance in inputs.providerBalances.sorted(by: { $0.provider < $1.provider }) {
            guard let threshold = balanceThresholds[balance.provider], balance.remaining < threshold else { continue }
            out.append(AlertCondition(rule: name, subject: "\(balance.provider):balance", severity: .warning,
                message: "provider \(balance.provider) balance is \(AlertFormat.fixed(balance.remaining, 2)) \(balance.unit), below \(AlertFormat.fixed(threshold, 2)); top up the account"))
        }
        let since = now.addingTimeInterval(-rateWindow)
        for (provider, records) in inputs.recordsByProvider().sorted(by: { $0.key < $1.key }) {
            let recent = records.filter { $0.finishedAt > since && $0.finishedAt <= now }
            let limited = recent.count { $0.failureKind == .rateLimited }
            if recent.count >= minAttempts, Double(limited) / Double(recent.count) >= maxRateLimitedRatio {
                out.append(AlertCondition(rule: name, subject: "\(provider):rate_limited", severity: .warning,
                    message: "provider \(provider) answered 429 to \(limited) of \(recent.count) attempts in the last \(Int(rateWindow / 60)) min; lower the request rate or raise the plan"))
            }
            let quota = recent.count { $0.failureKind == .quota }
            if quota > 0 {
                out.append(AlertCondition(rule: name, subject: "\(provider):quota", severity: .critical,
                    message: "provider \(provider) refused \(quota) attempts for quota in the last \(Int(rateWindow / 60)) min; the account's quota or credit is exhausted"))
            }
        }
        for usage in inputs.accountUsage.sorted(by: { $0.provider < $1.provider }) where usage.limit > 0 {
            let ratio = usage.used / usage.limit
            guard ratio >= accountLimitRatio else { continue }
            out.append(AlertCondition(rule: name, subject: "\(usage.provider):account_limit", severity: .warning,
                message: "provider \(usage.provider) has used \(AlertFormat.fixed(usage.used, 0)) of \(AlertFormat.fixed(usage.limit, 0)) \(usage.unit) (\(AlertFormat.fixed(ratio * 100, 0))%) of its account limit"))
        }
        return out
    }
}
