import Foundation
import Catalog

/// "API slower than usual": the p50 (nearest rank) of a provider's last `window` succeeded
/// attempts is above `factor` × that provider's baseline p50. Needs `minSamples` recent successes
/// and a baseline; clears when the recent p50 falls back under the bound.
public struct ProviderSlowRule: AlertRule {
    public let name = "ProviderSlow"
    public var window: Int
    public var factor: Double
    public var minSamples: Int

    public init(window: Int = 20, factor: Double = 2, minSamples: Int = 5) {
        self.window = window
        self.factor = factor
        self.minSamples = minSamples
    }

    public func evaluate(_ inputs: AlertInputs, now: Date) -> [AlertCondition] {
        inputs.recordsByProvider().sorted { $0.key < $1.key }.compactMap { provider, records in
            guard let baseline = inputs.providerBaselines[provider], baseline > 0 else { return nil }
            let recent = records.filter { $0.outcome == .succeeded }.suffix(window).map(\.durationSeconds)
            guard recent.count >= minSamples,
                  let p50 = Percentile.nearestRank(recent.sorted(), percent: 50),
                  p50 > factor * baseline else { return nil }
            return AlertCondition(rule: name, subject: provider, severity: .warning,
                message: "provider \(provider) is slow: p50 \(AlertFormat.fixed(p50, 1)) s over its last \(recent.count) successes, usual \(AlertFormat.fixed(baseline, 1)) s (alert above \(AlertFormat.fixed(factor, 1))×)")
        }
    }
}
