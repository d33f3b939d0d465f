import Foundation

/// The isolation supervisor's side of health: a plugin whose child is waiting out its restart
/// back-off is crash-looping, one that is not restarted any more is quarantined. Registered
/// with the runtime's `PluginHealthMonitor`, so `/v1/health` lists them in `plugin_problems`
/// beside hung calls and contract faults.
extension PluginSet: PluginHealthSource {
    public func healthSignals(now: Date) -> [PluginHealthSignal] {
        generations.compactMap { g -> PluginHealthSignal? in
            let run = g.runStatus
            let id = g.manifest.id
            let file = (g.file as NSString).lastPathComponent
            let last = run.lastFailure.map { " (last: \($0))" } ?? ""
            switch run.state {
            case "quarantined":
                return PluginHealthSignal(plugin: id, kind: .quarantined,
                                          message: "plugin \(id) (\(file)) is quarantined after \(run.consecutiveCrashes) failures in a row\(last); "
                                              + "replace the file or run `imagegen plugins reload`")
            case "restarting":
                return PluginHealthSignal(plugin: id, kind: .crashLooping,
                                          message: "plugin \(id) (\(file)) is restarting after \(run.consecutiveCrashes) failure(s) in a row\(last)")
            default:
                return nil
            }
        }
    }
}
