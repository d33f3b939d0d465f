import ImagegenCore

/// Jobs of one model, plugin and state: `/metrics` derives both "jobs by state" and
/// "generations by model, plugin and outcome" from these, so the numbers survive a restart and
/// include jobs run by any process.
package struct JobCount: Sendable, Equatable {
    package var model: String
    /// Empty while no plugin has been chosen (a queued job).
    package var plugin: String
    package var state: JobState
    package var count: Int
    package init(model: String, plugin: String, state: JobState, count: Int) {
        self.model = model
        self.plugin = plugin
        self.state = state
        self.count = count
    }
}
