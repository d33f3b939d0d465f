import Foundation
import Glibc

/// Named points in a job's life where the crash-and-resume tests kill the host with SIGKILL
/// (`IMAGEGEN_CRASH_AT=after_submit`, optionally `IMAGEGEN_CRASH_AFTER=N` hits). Inert unless
/// that variable is set; it exists so the recovery promise is tested, not assumed.
package enum CrashPoint: String {
    case beforeSubmit = "before_submit"
    /// After the intent to submit is committed, before the plugin is called.
    case duringSubmit = "during_submit"
    /// After the provider accepted the job, before its reference is committed: the provider
    /// has a job the catalog does not know about (what `imagegen.reconcile/1` recovers).
    case submitUnrecorded = "submit_unrecorded"
    case afterSubmit = "after_submit"
    case whilePolling = "while_polling"
    case whileWriting = "while_writing"
    case afterStore = "after_store"
    /// After a post-processing run's derivative files are written, before their rows commit.
    case whilePostProcessing = "while_post_processing"
    /// After a batch of `imagegen keys rotate` is committed.
    case duringRotation = "during_rotation"

    static let target = ProcessInfo.processInfo.environment["IMAGEGEN_CRASH_AT"]
    nonisolated(unsafe) static var hits = 0
    static let lock = NSLock()

    package func hit() {
        guard let target = CrashPoint.target, target == rawValue else { return }
        CrashPoint.lock.lock()
        CrashPoint.hits += 1
        let n = CrashPoint.hits
        CrashPoint.lock.unlock()
        let after = Int(ProcessInfo.processInfo.environment["IMAGEGEN_CRASH_AFTER"] ?? "1") ?? 1
        if n >= after { kill(getpid(), SIGKILL) }
    }
}
