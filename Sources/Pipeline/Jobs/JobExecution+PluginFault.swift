import Foundation
import ImagegenJSON
import PluginHost

/// A plugin that breaks the ABI contract (malformed or oversized answer, unknown state, more
/// outputs than the job asked for) fails the job at once: repeating the call would only repeat
/// the answer until the deadline.
extension JobExecution {
    /// Ends the job as `plugin_error` naming the plugin and what was wrong, logs it, counts it
    /// against the candidate's circuit and keeps it in the plugin health signals.
    func failPluginFault(_ error: PluginCallError, plugin: String, providerModel: String?,
                         cost: Double? = nil, costSource: String? = nil, providerTime: Double? = nil) {
        log.error("\(job.id): plugin \(plugin) broke the plugin ABI: \(error.message)")
        let now = now()
        if let providerModel { service.health.recordFailure("\(plugin)/\(providerModel)", now: now, message: error.message) }
        service.runtime.pluginHealth.recordFault(plugin: plugin, message: error.message, at: now)
        finish(.failed, (PluginCallError.faultCode, "plugin \(plugin): \(error.message)"),
               cost: cost, costSource: costSource, providerTime: providerTime)
    }

    /// Checks a submit, poll or reconcile result against the ABI for this job.
    func checkPollResult(_ result: JSONValue, call: String) throws(PluginCallError) {
        try PollResultCheck.check(result, call: call, expectedOutputs: job.outputs)
    }
}
