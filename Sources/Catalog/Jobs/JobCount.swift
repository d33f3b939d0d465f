import ImagegenCore

/// Jobs of one model, plugin and state: `/metrics` derives both "jobs by state" and
/// "generations by model, plugin and outcome" from these, so the numbers survive a restart and
/// include jobs run by any process.
public struct JobCount: Sendable, Equatable {
    public var model: String
    /// Empty while no plugin has been chosen (a queued job).
    public var plugin: String
    public var state: JobState
    public var count: Int
    public init(model: String, plugin: String, state: JobState, count: Int) {
        self.model = model
        self.plugin = plugin
        self.state = state
        self.count = count
    }
}
