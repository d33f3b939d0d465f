import PluginKit

/// One wrapper API's way of speaking to Midjourney. There is no official API: every service
/// automates a Discord or web session, and each has its own routes and words for the same
/// submit → poll → images cycle.
protocol MidjourneyDialect: Sendable {
    /// The name in config and messages.
    var name: String { get }
    /// Sends the /imagine prompt; returns the wrapper's task id and what it already knows.
    func submit(prompt: String, jobID: String) throws(ProviderError) -> MidjourneyTask
    func read(_ taskID: String) throws(ProviderError) -> MidjourneyTask
    func cancel(_ taskID: String) throws(ProviderError)
    /// A follow-up action on a finished task's image `index` (1…4): `UPSCALE` or `VARIATION`.
    func change(_ taskID: String, action: String, index: Int, jobID: String) throws(ProviderError) -> MidjourneyTask
    /// Suggested wait between polls.
    var pollInterval: Int { get }
}

extension MidjourneyDialect {
    func change(_ taskID: String, action: String, index: Int, jobID: String) throws(ProviderError) -> MidjourneyTask {
        throw ProviderError(.unsupported, "the \(name) dialect of this plugin has no upscale/variation actions; use midjourney-proxy")
    }
}
