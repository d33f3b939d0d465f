import ImagegenJSON
import ImagegenCore

extension PollState {
    /// The token counts a plugin reported (`"usage"` in the poll result), for token price rules:
    /// `{"input_text_tokens", "input_image_tokens", "output_image_tokens", "output_text_tokens"}`.
    /// nil when absent or without output tokens, so the cost stays unknown rather than 0.
    var tokenUsage: TokenUsage? {
        guard let u = raw["usage"], let output = u["output_image_tokens"]?.int else { return nil }
        return TokenUsage(inputTextTokens: u["input_text_tokens"]?.int ?? 0, inputImageTokens: u["input_image_tokens"]?.int ?? 0,
                          outputImageTokens: output, outputTextTokens: u["output_text_tokens"]?.int ?? 0)
    }
}
