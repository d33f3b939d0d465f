import Foundation

/// A Beta(α, β) distribution: the posterior of an arm's success rate, sampled for Thompson sampling and for
/// the probability of being best.
package struct BetaDistribution: Codable, Sendable, Hashable {
    package let alpha: Double
    package let beta: Double

    package init(alpha: Double, beta: Double) {
        precondition(alpha > 0 && beta > 0, "Beta parameters must be positive")
        self.alpha = alpha
        self.beta = beta
    }

    package var mean: Double { alpha / (alpha + beta) }

    /// One draw, as X / (X + Y) with X ~ Gamma(α), Y ~ Gamma(β).
    package func sample(using random: inout some RandomNumberGenerator) -> Double {
        let x = GammaSampler.sample(shape: alpha, using: &random)
        let y = GammaSampler.sample(shape: beta, using: &random)
        let total = x + y
        return total > 0 ? x / total : mean
    }
}

/// Draws from Gamma(shape, 1) by Marsaglia & Tsang's method (2000), with the standard boost for shapes
/// below 1, on any `RandomNumberGenerator` (so a seeded one makes every draw reproducible).
enum GammaSampler {
    static func sample(shape: Double, using random: inout some RandomNumberGenerator) -> Double {
        if shape < 1 {
            let boosted = sample(shape: shape + 1, using: &random)
            return boosted * Foundation.pow(openUnit(&random), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = standardNormal(&random)
            let t = 1 + c * x
            guard t > 0 else { continue }
            let v = t * t * t
            let u = openUnit(&random)
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }

    /// Box–Muller: always two uniforms per normal, so the number of draws is predictable.
    static func standardNormal(_ random: inout some RandomNumberGenerator) -> Double {
        let radius = (-2 * Foundation.log(openUnit(&random))).squareRoot()
        return radius * Foundation.cos(2 * Double.pi * random.nextUnitDouble())
    }

    /// Uniform in (0, 1]: safe for logarithms.
    static func openUnit(_ random: inout some RandomNumberGenerator) -> Double {
        1 - random.nextUnitDouble()
    }
}
