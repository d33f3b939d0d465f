import Foundation

/// How a candidate's images are priced, in USD. A provider-reported cost always wins over the
/// rule; a missing rule means the price is unknown (`nil`), which is never treated as 0.
public enum PriceRule: Sendable, Equatable, Codable, CustomStringConvertible {
    case perImage(Double)
    case perMegapixel(Double)
    /// Billed provider time. `expectedSeconds` lets budgets reserve before the job runs.
    case perSecond(Double, expectedSeconds: Double?)
    /// Billed by tokens (OpenAI's image models): needs the job's reported `usage`.
    case perToken(TokenPrices)

    enum CodingKeys: String, CodingKey {
        case perImage = "per_image", perMegapixel = "per_megapixel", perSecond = "per_second"
        case expectedSeconds = "expected_seconds", perMillionTokens = "per_million_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let present = [CodingKeys.perImage, .perMegapixel, .perSecond, .perMillionTokens].filter { c.contains($0) }
        guard present.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription:
                "a price needs exactly one of per_image, per_megapixel, per_second (in USD), per_million_tokens"))
        }
        func amount(_ k: CodingKeys) throws -> Double {
            let v = try c.decode(Double.self, forKey: k)
            guard v >= 0, v.isFinite else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [k], debugDescription: "a price must be ≥ 0"))
            }
            return v
        }
        switch present[0] {
        case .perImage: self = .perImage(try amount(.perImage))
        case .perMegapixel: self = .perMegapixel(try amount(.perMegapixel))
        case .perMillionTokens: self = .perToken(try c.decode(TokenPrices.self, forKey: .perMillionTokens))
        default: self = .perSecond(try amount(.perSecond), expectedSeconds: try c.decodeIfPresent(Double.self, forKey: .expectedSeconds))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .perImage(let v): try c.encode(v, forKey: .perImage)
        case .perMegapixel(let v): try c.encode(v, forKey: .perMegapixel)
        case .perSecond(let v, let e):
            try c.encode(v, forKey: .perSecond)
            try c.encodeIfPresent(e, forKey: .expectedSeconds)
        case .perToken(let prices): try c.encode(prices, forKey: .perMillionTokens)
        }
    }

    /// What a job is expected to cost before it runs (for budget reservations).
    public func expectedCost(width: Int, height: Int, outputs: Int) -> Double? {
        switch self {
        case .perImage(let p): return p * Double(outputs)
        case .perMegapixel(let p): return p * Double(width * height) / 1_000_000 * Double(outputs)
        case .perSecond(let p, let expected): return expected.map { p * $0 }
        case .perToken(let prices): return prices.expectedCost(width: width, height: height, outputs: outputs)
        }
    }

    /// What a finished job costs by the rule, given the provider's billed seconds and reported
    /// tokens (a token rule without reported tokens is unknown, not the estimate).
    public func actualCost(width: Int, height: Int, outputs: Int, providerSeconds: Double?, tokens: TokenUsage? = nil) -> Double? {
        switch self {
        case .perSecond(let p, _): return providerSeconds.map { p * $0 }
        case .perToken(let prices): return tokens.flatMap { prices.cost(of: $0) }
        default: return expectedCost(width: width, height: height, outputs: outputs)
        }
    }

    /// The per-image figure shown in listings, when the rule has one.
    public var costPerImage: Double? {
        if case .perImage(let p) = self { return p }
        return nil
    }

    public var description: String {
        switch self {
        case .perImage(let p): return String(format: "$%.4f/image", p)
        case .perMegapixel(let p): return String(format: "$%.4f/megapixel", p)
        case .perSecond(let p, _): return String(format: "$%.6f/second", p)
        case .perToken(let t): return String(format: "$%.2f/M text in, $%.2f/M image out", t.textInput, t.imageOutput)
        }
    }
}
