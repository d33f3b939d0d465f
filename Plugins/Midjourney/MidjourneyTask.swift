import PluginKit

/// A Midjourney job as any wrapper reports it, in the host's terms.
struct MidjourneyTask: Sendable {
    enum Phase: Sendable, Equatable {
        case queued, running, succeeded, cancelled
        case failed(ProviderError)

        static func == (a: Phase, b: Phase) -> Bool {
            switch (a, b) {
            case (.queued, .queued), (.running, .running), (.succeeded, .succeeded), (.cancelled, .cancelled): return true
            case (.failed(let x), .failed(let y)): return x.status == y.status && x.message == y.message
            default: return false
            }
        }
    }

    var id: String
    var phase: Phase
    var progress: Double?
    /// The four single images, where the wrapper provides them (upscaled / split by the service).
    var imageURLs: [String]
    /// The 2×2 grid.
    var gridURL: String?
    /// The raw status word, for messages.
    var status: String

    var isTerminal: Bool {
        switch phase { case .queued, .running: return false; default: return true }
    }

    /// What a wrapper's failure text means. Midjourney moderation shows up as words, not codes.
    static func classifyFailure(_ text: String, task: String) -> ProviderError {
        let t = text.lowercased()
        let filtered = ["banned", "moderat", "appeal", "action needed", "flagged", "blocked", "not allowed", "violat",
                        "community guidelines", "sensitive"]
        if filtered.contains(where: t.contains) {
            return ProviderError(.contentFiltered, "Midjourney refused job \(task) on content grounds: \(text)")
        }
        if t.contains("invalid parameter") || t.contains("unrecognized parameter") || t.contains("unrecognised parameter")
            || (t.contains("invalid") && t.contains("aspect")) {
            return ProviderError(.invalidRequest, "Midjourney rejected the parameters of job \(task): \(text)")
        }
        if t.contains("timeout") || t.contains("timed out") || t.contains("超时") {
            return ProviderError(.timeout, "Midjourney job \(task) timed out at the wrapper: \(text)")
        }
        return ProviderError(.provider, "Midjourney job \(task) failed: \(text.isEmpty ? "no reason given" : text)")
    }

    /// Progress as "45%" (midjourney-proxy) or 45 (useapi) → 0.45.
    static func progress(_ v: JSONValue?) -> Double? {
        if let n = v?.number { return min(max(n / 100, 0), 1) }
        if let s = v?.string, let n = Double(s.replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces)) {
            return min(max(n / 100, 0), 1)
        }
        return nil
    }
}
