import Foundation
import DurableFiles
import ImagegenConfig

extension OutputCheck {
    /// The check `output_check` asks for: nil when it is off; otherwise the detector started
    /// once (its script written under `<data>/classifiers`), or an error naming what to
    /// install. Never a silent pass.
    public static func start(_ settings: OutputCheckSettings, dataDirectory: String) throws(NudityCheckError) -> OutputCheck? {
        guard settings.enabled else { return nil }
        let script = dataDirectory + "/classifiers/nudenet-detect.py"
        let text = Array((NudeNetSidecar.shippedScript + "\n").utf8)
        if FileManager.default.contents(atPath: script).map(Array.init) != text {
            do { try AtomicFile.write(text, to: script, mode: 0o644) } catch {
                throw .unavailable("cannot write the detector's script \(script): \(error)")
            }
        }
        let sidecar = try NudeNetSidecar(script: script, python: settings.python ?? "/usr/bin/env").identified()
        return OutputCheck(classifier: sidecar, rules: NudityRules(threshold: settings.threshold))
    }
}
