import ImagegenCore
import ImagegenJSON
import PluginHost

/// A poll (or submit) result as the ABI defines it.
struct PollState: Sendable {
    let raw: JSONValue
    init(_ raw: JSONValue) { self.raw = raw }

    var jobState: JobState {
        switch raw["state"]?.string {
        case "queued": return .queued
        case "running": return .running
        case "succeeded": return .succeeded
        case "failed": return .failed
        case "cancelled": return .cancelled
        case "content_filtered": return .contentFiltered
        default: return .running
        }
    }
    /// Clamped to 0...1: a plugin's number is outside input.
    var progress: Double? { raw["progress"]?.number.flatMap { $0.isFinite ? min(1, max(0, $0)) : nil } }
    /// Clamped before the conversion: `Int(1e300)` traps.
    var nextPollMs: Int? { raw["next_poll_ms"]?.number.flatMap { $0.isFinite ? Int(min(86_400_000, max(0, $0))) : nil } }
    var costUSD: Double? { raw["cost_usd"]?.number }
    var providerTime: Double? { raw["provider_time_s"]?.number }
    var seed: UInt32? { raw["seed"]?.number.flatMap { UInt32(exactly: $0) } }
    var outputIndices: [Int] { raw["outputs"]?.array?.compactMap { $0["index"]?.int } ?? [] }
    func mime(for index: Int) -> String? {
        raw["outputs"]?.array?.first { $0["index"]?.int == index }?["mime"]?.string
    }
    var errorMessage: String? { raw["error"]?["message"]?.string }
    var errorCode: String? {
        raw["error"]?["status"]?.number.map { PluginStatus(code: Int32(exactly: $0) ?? -1).description }
    }
}
