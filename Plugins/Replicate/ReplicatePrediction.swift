import PluginKit

/// A prediction object as Replicate returns it (create, get, cancel), read into what the host
/// needs: its state, outputs, billable time and, on failure, the class of the failure.
struct ReplicatePrediction: Sendable {
    var id: String
    var status: String
    var getURL: String?
    var cancelURL: String?
    var outputs: [String]?
    var error: String?
    var predictTime: Double?
    var dataRemoved: Bool
    var seed: UInt32?

    init(_ v: JSONValue) throws(ProviderError) {
        guard let id = v["id"]?.string, let status = v["status"]?.string else {
            throw ProviderError(.provider, "Replicate answered with a prediction that has no id or status")
        }
        self.id = id
        self.status = status
        getURL = v["urls"]?["get"]?.string
        cancelURL = v["urls"]?["cancel"]?.string
        // Output is model-defined: a list of URLs (SD, SDXL, Flux) or one URL (Realistic Vision).
        switch v["output"] {
        case .string(let s)?: outputs = [s]
        case .array(let a)?: outputs = a.compactMap(\.string)
        default: outputs = nil
        }
        error = v["error"]?.string
        predictTime = v["metrics"]?["predict_time"]?.number
        dataRemoved = v["data_removed"]?.bool ?? false
        seed = Self.seed(inLogs: v["logs"]?.string)
    }

    static let terminal: Set<String> = ["succeeded", "failed", "canceled", "aborted"]
    var isTerminal: Bool { Self.terminal.contains(status) }

    /// Cog's Stable Diffusion predictors print "Using seed: N"; the host records the seed used.
    static func seed(inLogs logs: String?) -> UInt32? {
        guard let logs, let r = logs.range(of: "Using seed: ") else { return nil }
        return UInt32(logs[r.upperBound...].prefix { $0.isNumber })
    }

    /// Replicate reports a tripped safety checker only as text in `error`.
    static func isSafetyFailure(_ error: String?) -> Bool {
        guard let e = error?.lowercased() else { return false }
        return e.contains("nsfw") || e.contains("safety checker") || e.contains("flagged as sensitive")
    }

    /// The poll result for this prediction.
    /// - Parameters:
    ///   - ref: the reference so far (its deadline decides how a cancel is reported).
    ///   - filesReady: a `Prefer: wait` answer, where Replicate returns as soon as the files
    ///     exist: `processing` with outputs is then finished.
    ///   - now: the host clock.
    func pollResult(ref: ReplicateJobRef, filesReady: Bool, now: Int64, pollInterval: Int) -> PollResult {
        var ref = ref
        let pastDeadline = ref.deadlineMs.map { now >= $0 } ?? false
        switch status {
        case "starting":
            return PollResult(state: .queued, ref: ref.json, nextPollMilliseconds: pollInterval)
        case "processing" where !(filesReady && !(outputs ?? []).isEmpty):
            return PollResult(state: .running, ref: ref.json, nextPollMilliseconds: pollInterval)
        case "succeeded", "processing":
            guard let outputs, !outputs.isEmpty else {
                let why = dataRemoved
                    ? "its outputs were already deleted (Replicate removes API outputs an hour after the run)"
                    : "it returned no image (every image may have been dropped by the safety checker)"
                let status: ProviderStatus = dataRemoved ? .notFound : .provider
                return PollResult(state: .failed, ref: ref.json, providerTimeSeconds: predictTime,
                                  error: ProviderError(status, "Replicate prediction \(id) succeeded but \(why)"))
            }
            ref.outputs = outputs
            return PollResult(state: .succeeded, ref: ref.json, progress: 1,
                              outputs: outputs.indices.map { PollResult.Output(index: $0, mime: Self.mime(of: outputs[$0])) },
                              providerTimeSeconds: predictTime, seed: seed)
        case "failed":
            let reason = error ?? "no reason given"
            if Self.isSafetyFailure(error) {
                return PollResult(state: .contentFiltered, ref: ref.json, providerTimeSeconds: predictTime,
                                  error: ProviderError(.contentFiltered, "Replicate's safety checker rejected the output of prediction \(id): \(reason)"))
            }
            return PollResult(state: .failed, ref: ref.json, providerTimeSeconds: predictTime,
                              error: ProviderError(.provider, "Replicate prediction \(id) failed: \(reason)"))
        case "canceled" where pastDeadline, "aborted" where pastDeadline:
            return PollResult(state: .failed, ref: ref.json, providerTimeSeconds: predictTime,
                              error: ProviderError(.timeout, "Replicate prediction \(id) did not finish before its deadline and was \(status)"))
        case "canceled":
            return PollResult(state: .cancelled, ref: ref.json, providerTimeSeconds: predictTime,
                              error: ProviderError(.cancelled, "Replicate prediction \(id) was canceled"))
        case "aborted":
            return PollResult(state: .failed, ref: ref.json,
                              error: ProviderError(.provider, "Replicate aborted prediction \(id) before it started (a Cancel-After deadline or the queue)"))
        default:
            // A status this build does not know: newer API versions add non-terminal ones.
            return PollResult(state: .running, ref: ref.json, nextPollMilliseconds: pollInterval)
        }
    }

    /// Replicate serves PNG for these models; trust the file name when it says otherwise.
    static func mime(of url: String) -> String {
        if url.hasPrefix("data:") { return String(url.dropFirst(5).prefix { $0 != ";" && $0 != "," }) }
        let path = url.split(separator: "?").first.map(String.init)?.lowercased() ?? ""
        if path.hasSuffix(".webp") { return "image/webp" }
        if path.hasSuffix(".jpg") || path.hasSuffix(".jpeg") { return "image/jpeg" }
        return "image/png"
    }
}
