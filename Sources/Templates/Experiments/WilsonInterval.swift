/// The Wilson score interval for a proportion, used for an arm's mean outcome.
///
/// Outcomes are scores in [0, 1] treated as fractional successes (as in the Beta posterior), so the
/// interval is that of a proportion p̂ = mean over n trials:
///
///     centre = (p̂ + z²/2n) / (1 + z²/n)
///     half   = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²)
///
/// Chosen over a t-interval because it stays inside [0, 1], is defined for n = 1 and does not collapse to
/// zero width when the first few ratings happen to be equal. For scores that vary less than 0/1 outcomes it
/// is conservative (wider than necessary), which suits a decision about promoting a prompt.
package struct WilsonInterval: Codable, Sendable, Hashable {
    /// The 97.5% quantile of the standard normal: a two-sided 95% interval.
    package static let z95 = 1.959963984540054

    package let lower: Double
    package let upper: Double

    package init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// The interval for mean `p` over `n` outcomes; [0, 1] when there are none.
    package init(mean p: Double, count n: Int, z: Double = WilsonInterval.z95) {
        guard n > 0 else {
            self.init(lower: 0, upper: 1)
            return
        }
        let count = Double(n)
        let z2 = z * z
        let denominator = 1 + z2 / count
        let centre = (p + z2 / (2 * count)) / denominator
        let half = z / denominator * (p * (1 - p) / count + z2 / (4 * count * count)).squareRoot()
        self.init(lower: max(0, centre - half), upper: min(1, centre + half))
    }
}
