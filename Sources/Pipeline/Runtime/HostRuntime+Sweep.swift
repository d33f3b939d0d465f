import DurableFiles
import ImagegenCore
import PluginHost

extension HostRuntime {
    /// What killed processes left behind: `AtomicFile` temp files in the data folder (content
    /// tree, catalog folder, audit and state files) and plugin scratch folders. Run once per
    /// start by every entry point (CLI, library, serve) — they all build a `HostRuntime` — and
    /// never touches a live process's files. Removals are counted in the log; a file that cannot
    /// be removed is a warning that names it.
    static func sweepLeftovers(paths: HostPaths, log: Log) {
        let temps = TempFileSweep.sweep(paths.data)
        if !temps.removed.isEmpty {
            log.info("removed \(temps.removed.count) temp file(s) left in \(paths.data) by processes that no longer run")
        }
        for failure in temps.failures { log.warning(failure.description) }
        let scratch = PluginScratch.sweep()
        if !scratch.removed.isEmpty {
            log.info("removed \(scratch.removed.count) plugin scratch folder(s) of processes that no longer run")
        }
        for failure in scratch.failures { log.warning(failure) }
    }
}
