/// Limits that keep a preference profile from collapsing variety.
///
/// A value's probability is `(1 − uniformShare) · w / Σw + uniformShare / n` with every weight `w` clamped
/// to `minimumWeight...maximumWeight`. So however many ratings a profile learns from, every value keeps at
/// least `uniformShare / n` of the choice (the floor), and no value can outweigh another by more than
/// `maximumWeight / minimumWeight`.
public struct PreferenceBounds: Codable, Sendable, Hashable {
    public var minimumWeight: Double
    public var maximumWeight: Double
    /// The share of every choice that is uniform, in 0...1.
    public var uniformShare: Double

    /// With 5 values: floor 0.04 per value; the most a single value can get is
    /// 0.8 · 4 / (4 + 4 · 0.25) + 0.04 = 0.68.
    public static let standard = PreferenceBounds(minimumWeight: 0.25, maximumWeight: 4, uniformShare: 0.2)

    public init(minimumWeight: Double, maximumWeight: Double, uniformShare: Double) {
        self.minimumWeight = minimumWeight
        self.maximumWeight = maximumWeight
        self.uniformShare = uniformShare
    }

    /// Nil when the bounds are usable; otherwise what is wrong with them.
    public var problem: String? {
        guard minimumWeight.isFinite, maximumWeight.isFinite, minimumWeight > 0 else {
            return "minimum_weight must be a positive number"
        }
        guard maximumWeight >= minimumWeight else { return "maximum_weight must be at least minimum_weight" }
        guard uniformShare.isFinite, (0...1).contains(uniformShare) else { return "uniform_share must be between 0 and 1" }
        return nil
    }

    public func clamp(_ weight: Double) -> Double {
        guard weight.isFinite else { return weight > 0 ? maximumWeight : minimumWeight }
        return min(max(weight, minimumWeight), maximumWeight)
    }

    /// The smallest probability any of `count` values can have under these bounds.
    public func floorProbability(valueCount count: Int) -> Double {
        guard count > 0 else { return 0 }
        let n = Double(count)
        return (1 - uniformShare) * minimumWeight / (minimumWeight + (n - 1) * maximumWeight) + uniformShare / n
    }

    enum CodingKeys: String, CodingKey {
        case minimumWeight = "minimum_weight"
        case maximumWeight = "maximum_weight"
        case uniformShare = "uniform_share"
    }

    /// Fields left out of the config keep their standard value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let standard = PreferenceBounds.standard
        minimumWeight = try container.decodeIfPresent(Double.self, forKey: .minimumWeight) ?? standard.minimumWeight
        maximumWeight = try container.decodeIfPresent(Double.self, forKey: .maximumWeight) ?? standard.maximumWeight
        uniformShare = try container.decodeIfPresent(Double.self, forKey: .uniformShare) ?? standard.uniformShare
    }
}
