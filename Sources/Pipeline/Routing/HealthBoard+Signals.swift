import Foundation
import PluginHost

/// Open and half-open circuits as plugin health signals, for the health report.
extension HealthBoard: PluginHealthSource {
    public func healthSignals(now: Date) -> [PluginHealthSignal] {
        records(now: now).filter { $0.state != "closed" }.map { r in
            let plugin = String(r.candidate.split(separator: "/", maxSplits: 1).first ?? Substring(r.candidate))
            return PluginHealthSignal(
                plugin: plugin, kind: .circuitOpen,
                message: "plugin \(plugin): circuit \(r.state.replacingOccurrences(of: "_", with: "-")) for \(r.candidate) after "
                    + "\(r.consecutiveFailures) consecutive failure(s)" + (r.lastError.map { ": \($0)" } ?? ""))
        }
    }
}
