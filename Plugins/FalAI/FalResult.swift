import PluginKit

/// A finished fal request's result body (`GET response_url`), read into outputs: image URLs
/// with their types, minus those fal's safety checker flagged (`has_nsfw_concepts[i]` true: fal
/// replaces such an image with a black one, which must not be stored as a generation).
struct FalResult {
    var outputs: [FalJobRef.Output]
    var flagged: Int
    var seed: UInt32?
    var inferenceSeconds: Double?

    init(_ v: JSONValue, requestID: String) throws(ProviderError) {
        guard let images = v["images"]?.array else {
            throw ProviderError(.provider, "fal request \(requestID) completed, but its result has no images list")
        }
        let nsfw = v["has_nsfw_concepts"]?.array?.map { $0.bool ?? false } ?? []
        var kept: [FalJobRef.Output] = []
        var flagged = 0
        for (i, image) in images.enumerated() {
            if i < nsfw.count, nsfw[i] { flagged += 1; continue }
            guard let url = image["url"]?.string else { continue }
            kept.append(.init(url: url, mime: image["content_type"]?.string ?? Self.mime(forURL: url)))
        }
        outputs = kept
        self.flagged = flagged
        seed = v["seed"]?.number.flatMap { UInt32(exactly: $0.rounded()) }
        inferenceSeconds = v["timings"]?["inference"]?.number
    }

    static func mime(forURL url: String) -> String {
        let lower = url.lowercased()
        if lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") || lower.hasPrefix("data:image/jpeg") { return "image/jpeg" }
        if lower.hasSuffix(".webp") || lower.hasPrefix("data:image/webp") { return "image/webp" }
        return "image/png"
    }

    /// A model error body (`{"detail": [{"type": "content_policy_violation", ...}]}`) that is a
    /// content decision, with the flagged field and categories for the message.
    static func contentPolicyViolation(_ body: JSONValue?) -> String? {
        guard let items = body?["detail"]?.array else { return nil }
        for item in items where item["type"]?.string == "content_policy_violation" {
            let field = item["loc"]?.array?.compactMap(\.string).filter { $0 != "body" }.joined(separator: ".") ?? "input"
            let categories = item["categories"]?.array?.compactMap(\.string) ?? []
            var text = "fal's content checker flagged the \(field.isEmpty ? "input" : field)"
            if !categories.isEmpty { text += " (categories: \(categories.joined(separator: ", ")))" }
            return text + ": " + (item["msg"]?.string ?? "flagged") + " (content_policy_violation)"
        }
        return nil
    }
}
