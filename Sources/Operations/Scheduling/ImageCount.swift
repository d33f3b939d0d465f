/// How many images a slot makes: an exact number, or a range resolved once per occurrence.
///
/// In config: `"count": 3` or `"count": {"min": 2, "max": 3}`.
public struct ImageCount: Sendable, Hashable, Codable, CustomStringConvertible {
    public let min: Int
    public let max: Int

    public init(exactly n: Int) { min = n; max = n }
    public init(min: Int, max: Int) { self.min = min; self.max = max }

    public var isRange: Bool { min != max }

    /// Picks the count for one occurrence: the same occurrence always gets the same count, so a
    /// scheduler restarted mid-slot plans exactly what the first one planned.
    public func resolve(seed: OccurrenceSeed) -> Int {
        guard max > min else { return min }
        return min + Int(seed.first % UInt64(max - min + 1))
    }

    public var description: String { isRange ? "\(min)–\(max)" : "\(min)" }

    private enum Keys: String, CodingKey { case min, max }

    public init(from decoder: any Decoder) throws {
        // try?: not a plain number; the {min, max} form below is decoded and its error reported
        if let single = try? decoder.singleValueContainer().decode(Int.self) {
            self.init(exactly: single)
            return
        }
        let c = try decoder.container(keyedBy: Keys.self)
        self.init(min: try c.decode(Int.self, forKey: .min), max: try c.decode(Int.self, forKey: .max))
    }

    public func encode(to encoder: any Encoder) throws {
        if isRange {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(min, forKey: .min)
            try c.encode(max, forKey: .max)
        } else {
            var c = encoder.singleValueContainer()
            try c.encode(min)
        }
    }
}
