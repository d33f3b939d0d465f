import Foundation
import ImagegenJSON
import Synchronization

/// One plugin's isolation, limits and watchdogs, from its `providers.<id>` config section:
///
///     providers: { replicate: {
///         isolation: "process",             // or "none": in the host's process (no crash protection)
///         limits: { memory_mb: 4096, cpu_seconds: 0, open_files: 256, max_in_flight: 8 },
///         watchdog_ms: { describe: 10000, create: 10000, submit: 120000, poll: 30000,
///                        fetch: 120000, cancel: 30000 },
///         quarantine_after: 5 } }
///
/// Defaults are documented in docs/plugin-abi.md §11; 0 means "no limit" for the rlimits.
package struct IsolationSettings: Sendable, Equatable {
    package var inProcess = false
    package var memoryMegabytes = 4096
    package var cpuSeconds = 0
    package var openFiles = 256
    package var maxInFlight = 8
    package var quarantineAfter = 5
    package var watchdog: [String: Int] = IsolationSettings.defaultWatchdog

    package static let defaultWatchdog: [String: Int] = [
        "describe": 10_000, "create": 10_000, "submit": 120_000, "poll": 30_000, "fetch": 120_000, "cancel": 30_000,
        "balance": 30_000, "reconcile": 30_000,
    ]

    package init() {}

    /// Reads the section; a value of the wrong type or range is reported in `problems` and the
    /// default kept, so one typo does not stop the plugin.
    package init(section: JSONValue?, id: String) {
        guard let section else { return }
        if let mode = section["isolation"] {
            switch mode.string {
            case "none": inProcess = true
            case "process": inProcess = false
            default: problems.append("providers.\(id).isolation must be \"process\" or \"none\"; using \"process\"")
            }
        }
        func positive(_ value: JSONValue?, _ key: String, allowZero: Bool) -> Int? {
            guard let value else { return nil }
            guard let n = value.int, n > 0 || (allowZero && n == 0) else {
                problems.append("providers.\(id).\(key) must be \(allowZero ? "0 or more" : "a positive whole number"); using the default")
                return nil
            }
            return n
        }
        let limits = section["limits"]
        memoryMegabytes = positive(limits?["memory_mb"], "limits.memory_mb", allowZero: true) ?? memoryMegabytes
        cpuSeconds = positive(limits?["cpu_seconds"], "limits.cpu_seconds", allowZero: true) ?? cpuSeconds
        openFiles = positive(limits?["open_files"], "limits.open_files", allowZero: true) ?? openFiles
        maxInFlight = positive(limits?["max_in_flight"], "limits.max_in_flight", allowZero: false) ?? maxInFlight
        quarantineAfter = positive(section["quarantine_after"], "quarantine_after", allowZero: false) ?? quarantineAfter
        if let w = section["watchdog_ms"]?.object {
            for (key, value) in w {
                guard IsolationSettings.defaultWatchdog[key] != nil else {
                    problems.append("providers.\(id).watchdog_ms.\(key) is not a plugin call; known: "
                                    + IsolationSettings.defaultWatchdog.keys.sorted().joined(separator: ", "))
                    continue
                }
                if let n = positive(value, "watchdog_ms.\(key)", allowZero: false) { watchdog[key] = n }
            }
        }
    }

    /// What was wrong in the section (logged once at load).
    package var problems: [String] = []

    /// The host-side time limit for one call, in seconds.
    package func limit(_ call: String) -> TimeInterval {
        Double(watchdog[call] ?? IsolationSettings.defaultWatchdog[call] ?? 30_000) / 1000
    }
}

/// Where the plugin-runner executable is, for isolated plugins. The `imagegen` CLI names
/// itself at start (`useThisExecutable`), so `serve`, `generate` and `jobs run` isolate
/// plugins by default; the library (and tests) run plugins in-process unless a runner is set
/// here or in `IMAGEGEN_PLUGIN_RUNNER`.
public enum PluginRunnerLocation {
    private static let configured = Mutex<String?>(nil)

    public static var executable: String? {
        get {
            if let env = ProcessInfo.processInfo.environment["IMAGEGEN_PLUGIN_RUNNER"], !env.isEmpty {
                return env == "none" ? nil : env
            }
            return configured.withLock { $0 }
        }
        set { configured.withLock { $0 = newValue } }
    }

    /// Runs isolated plugins with this very binary (`imagegen plugin-runner`).
    public static func useThisExecutable() { executable = "/proc/self/exe" }
}
