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
    /// Suggested wait between polls.
    var pollInterval: Int { get }
}
