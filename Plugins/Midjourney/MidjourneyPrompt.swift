import PluginKit

/// Midjourney takes its parameters inside the prompt text (`--v 6.0 --ar 16:9 --no text
/// --seed 42`): this turns the host's neutral request into that text. A flag the user already
/// wrote in the prompt wins over the one derived from the request.
enum MidjourneyPrompt {
    static func build(_ r: GenerationRequest, version: String) -> String {
        // Discord prompts are one line; a stray "--" in the negative text would start a flag.
        var text = r.prompt.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        let lower = " " + text.lowercased()
        func has(_ names: String...) -> Bool { names.contains { lower.contains(" --\($0) ") || lower.hasSuffix(" --\($0)") } }

        if !has("v", "version", "niji") { text += " --v \(version)" }
        if !has("ar", "aspect") {
            let (w, h) = ratio(width: r.width, height: r.height)
            text += " --ar \(w):\(h)"
        }
        if let negative = r.negativePrompt.map({ $0.replacingOccurrences(of: "--", with: " ").split(whereSeparator: \.isWhitespace)
            .joined(separator: " ") }), !negative.isEmpty, !has("no") {
            text += " --no \(negative)"
        }
        if let seed = r.seed, !has("seed") { text += " --seed \(seed)" }
        return text
    }

    /// W:H reduced by their greatest common divisor (1024×768 → 4:3).
    static func ratio(width: Int, height: Int) -> (Int, Int) {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let w = max(width, 1), h = max(height, 1)
        let g = gcd(w, h)
        return (w / g, h / g)
    }
}
