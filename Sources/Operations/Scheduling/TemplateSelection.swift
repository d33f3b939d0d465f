/// The template(s) a generate slot draws from.
///
/// In config: `"template": "feet_closeup"` or `"templates": ["lingerie_black_lace", "lingerie_red_satin"]`.
/// With a set, images rotate through the templates starting at a position seeded by the
/// occurrence, so over the days every template gets used and a given occurrence is reproducible.
public struct TemplateSelection: Sendable, Hashable, Codable {
    public let names: [String]

    public init(_ names: [String]) { self.names = names }

    /// The template for each of `count` images of one occurrence.
    public func assign(count: Int, seed: OccurrenceSeed) -> [String] {
        guard !names.isEmpty, count > 0 else { return [] }
        let start = Int(seed.second % UInt64(names.count))
        return (0..<count).map { names[(start + $0) % names.count] }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // try?: not a single name; the list form below is decoded and its error reported
        if let one = try? c.decode(String.self) {
            names = [one]
        } else {
            names = try c.decode([String].self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if names.count == 1 { try c.encode(names[0]) } else { try c.encode(names) }
    }
}
