/// Token counts a provider billed for one job, reported to the host as the poll result's
/// `usage` so that a token price rule (`per_million_tokens`) can price the job exactly.
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

    public var json: JSONValue {
        ["input_text_tokens": .number(Double(inputTextTokens)), "input_image_tokens": .number(Double(inputImageTokens)),
         "output_image_tokens": .number(Double(outputImageTokens)), "output_text_tokens": .number(Double(outputTextTokens))]
    }

    public init?(_ v: JSONValue?) {
        guard let v, let output = v["output_image_tokens"]?.int else { return nil }
        self.init(inputTextTokens: v["input_text_tokens"]?.int ?? 0, inputImageTokens: v["input_image_tokens"]?.int ?? 0,
                  outputImageTokens: output, outputTextTokens: v["output_text_tokens"]?.int ?? 0)
    }
}

/// A token price rule as a plugin describes it (USD per million tokens, as providers publish
/// them); see `per_million_tokens` in docs/plugin-abi.md.
public struct TokenPrices: Sendable {
    public var textInput: Double
    public var imageInput: Double?
    public var imageOutput: Double
    public var textOutput: Double?
    /// Lets budgets reserve before the job runs (output tokens grow with the image area).
    public var expectedOutputTokensPerMegapixel: Double?

    public init(textInput: Double, imageInput: Double? = nil, imageOutput: Double, textOutput: Double? = nil,
                expectedOutputTokensPerMegapixel: Double? = nil) {
        self.textInput = textInput
        self.imageInput = imageInput
        self.imageOutput = imageOutput
        self.textOutput = textOutput
        self.expectedOutputTokensPerMegapixel = expectedOutputTokensPerMegapixel
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["text_input": .number(textInput), "image_output": .number(imageOutput)]
        if let imageInput { o["image_input"] = .number(imageInput) }
        if let textOutput { o["text_output"] = .number(textOutput) }
        if let expectedOutputTokensPerMegapixel { o["expected_output_tokens_per_megapixel"] = .number(expectedOutputTokensPerMegapixel) }
        return .object(o)
    }
}
