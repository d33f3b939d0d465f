import Foundation

/// Per-token prices, for providers that bill an image by the tokens it took (OpenAI's GPT image
/// models: text and image input tokens, image output tokens), in USD per million tokens as the
/// providers publish them.
///
/// The rule needs the job's token counts, which only the provider knows after the fact (the
/// plugin reports them as `usage` in its poll result). Before the job runs, budgets reserve an
/// estimate: output tokens grow with the image area (OpenAI's own table is linear in pixels for
/// a given quality), so `expectedOutputTokensPerMegapixel` × megapixels × the output price.
/// Without that figure the expected cost is unknown (`nil`), never 0.
public struct TokenPrices: Sendable, Equatable, Codable {
    /// USD per million text input (prompt) tokens.
    public var textInput: Double
    /// USD per million image input tokens (reference images, edits); nil when the model takes none.
    public var imageInput: Double?
    /// USD per million image output tokens.
    public var imageOutput: Double
    /// USD per million text output tokens (some models bill reasoning text); nil when unpublished.
    public var textOutput: Double?
    /// For reservations before the job runs.
    public var expectedOutputTokensPerMegapixel: Double?

    enum CodingKeys: String, CodingKey {
        case textInput = "text_input", imageInput = "image_input", imageOutput = "image_output"
        case textOutput = "text_output", expectedOutputTokensPerMegapixel = "expected_output_tokens_per_megapixel"
    }

    public init(textInput: Double, imageInput: Double? = nil, imageOutput: Double, textOutput: Double? = nil,
                expectedOutputTokensPerMegapixel: Double? = nil) {
        self.textInput = textInput
        self.imageInput = imageInput
        self.imageOutput = imageOutput
        self.textOutput = textOutput
        self.expectedOutputTokensPerMegapixel = expectedOutputTokensPerMegapixel
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func amount(_ k: CodingKeys) throws -> Double? {
            guard let v = try c.decodeIfPresent(Double.self, forKey: k) else { return nil }
            guard v >= 0, v.isFinite else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath + [k], debugDescription: "a price must be ≥ 0"))
            }
            return v
        }
        guard let text = try amount(.textInput), let image = try amount(.imageOutput) else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription:
                "per_million_tokens needs at least text_input and image_output (USD per million tokens)"))
        }
        self.init(textInput: text, imageInput: try amount(.imageInput), imageOutput: image,
                  textOutput: try amount(.textOutput),
                  expectedOutputTokensPerMegapixel: try amount(.expectedOutputTokensPerMegapixel))
    }

    /// What the reported tokens cost, or nil when a kind of token was used that has no price
    /// (image input or text output on a model priced without it): an unknown price is not a free one.
    public func cost(of usage: TokenUsage) -> Double? {
        var total = Double(usage.inputTextTokens) * textInput + Double(usage.outputImageTokens) * imageOutput
        if usage.inputImageTokens > 0 {
            guard let imageInput else { return nil }
            total += Double(usage.inputImageTokens) * imageInput
        }
        if usage.outputTextTokens > 0 {
            guard let textOutput else { return nil }
            total += Double(usage.outputTextTokens) * textOutput
        }
        return total / 1_000_000
    }

    /// The reservation for `outputs` images of this size, when the rule carries the estimate.
    public func expectedCost(width: Int, height: Int, outputs: Int) -> Double? {
        expectedOutputTokensPerMegapixel.map { $0 * Double(width * height) / 1_000_000 * Double(outputs) * imageOutput / 1_000_000 }
    }
}

/// Token counts a provider reported for one job (the poll result's `usage`).
public struct TokenUsage: Sendable, Equatable {
    public var inputTextTokens: Int
    public var inputImageTokens: Int
    public var outputImageTokens: Int
    public var outputTextTokens: Int

    public init(inputTextTokens: Int, inputImageTokens: Int = 0, outputImageTokens: Int, outputTextTokens: Int = 0) {
        self.inputTextTokens = inputTextTokens
        self.inputImageTokens = inputImageTokens
        self.outputImageTokens = outputImageTokens
        self.outputTextTokens = outputTextTokens
    }
}
