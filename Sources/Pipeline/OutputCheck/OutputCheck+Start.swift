import Foundation
import ImagegenConfig

extension OutputCheck {
    /// The check `output_check` asks for: nil when it is off. Nothing starts here: the detector
    /// (its script written under `<data>/classifiers`) starts on the first image to check, so
    /// `imagegen models` or `config check` never pay for it. When it cannot start then, that image
    /// is quarantined (`output_check_unavailable`) and `status` says what to install.
    public static func start(_ settings: OutputCheckSettings, dataDirectory: String) -> OutputCheck? {
        guard settings.enabled else { return nil }
        let sidecar = NudeNetSidecar(script: dataDirectory + "/classifiers/nudenet-detect.py", python: settings.python ?? defaultPython(),
                                     timeout: settings.timeoutSeconds, scriptText: NudeNetSidecar.shippedScript,
                                     processes: settings.effectiveProcesses())
        return OutputCheck(classifier: sidecar, rules: NudityRules(threshold: settings.threshold))
    }

    /// Where scripts/install-deps.sh puts the detector when PATH's python3 may not take packages
    /// (Debian's is externally managed).
    public static let installedVenvPython = "/usr/local/lib/imagegen/venv/bin/python3"

    /// The interpreter when `output_check.python` is unset: the setup's venv when there is one,
    /// else PATH's `python3` (through `/usr/bin/env`).
    static func defaultPython() -> String {
        FileManager.default.isExecutableFile(atPath: installedVenvPython) ? installedVenvPython : "/usr/bin/env"
    }

    /// Starts the detector now if it is not running (a long-running host's start-up), and says
    /// how that went. Never throws: the status carries the reason.
    public func warmUp() -> NudityDetectorStatus {
        if let sidecar = classifier as? NudeNetSidecar {
            do { try sidecar.identified() } catch {}  // the status below carries the reason
        }
        return status
    }

    /// Whether the detector runs (not started, running, or unavailable and why).
    public var status: NudityDetectorStatus { classifier.status }
}
