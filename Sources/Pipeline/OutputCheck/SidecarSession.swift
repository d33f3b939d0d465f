import Foundation
import Synchronization

/// One detector process of a `NudeNetSidecar`: started on first use, replaced after it dies,
/// hangs or talks nonsense. Calls are serialised (one image at a time goes through the pipe).
final class SidecarSession: Sendable {
    private let launch: DetectorLaunch
    private let restartPause: Double
    private let running = Mutex<RunningDetector?>(nil)
    /// Kept apart from `running` so a health report never waits behind a detection.
    private let statusSlot = Mutex(NudityDetectorStatus(state: .notStarted))
    private let failedStart = Mutex<(at: Date, error: NudityCheckError)?>(nil)

    init(launch: DetectorLaunch, restartPause: Double) {
        self.launch = launch
        self.restartPause = restartPause
    }

    var status: NudityDetectorStatus { statusSlot.withLock { $0 } }

    func withRunning<T: Sendable>(_ body: (RunningDetector) throws(NudityCheckError) -> T) throws(NudityCheckError) -> T {
        try running.withLock { (current: inout RunningDetector?) throws(NudityCheckError) -> T in try use(&current, body) }
    }

    /// `withRunning` when no other call is using this process; nil (at once) when one is.
    func withRunningIfIdle<T: Sendable>(_ body: (RunningDetector) throws(NudityCheckError) -> T) throws(NudityCheckError) -> T? {
        try running.withLockIfAvailable { (current: inout RunningDetector?) throws(NudityCheckError) -> T in try use(&current, body) }
    }

    private func use<T>(_ current: inout RunningDetector?, _ body: (RunningDetector) throws(NudityCheckError) -> T) throws(NudityCheckError) -> T {
        if current == nil { current = try start() }
        do throws(NudityCheckError) {
            return try body(current!)
        } catch {
            // A dead, hung or garbled detector is stopped and replaced on the next call; an
            // unreadable image leaves it running.
            if case .unavailable = error {
                current?.stop()
                current = nil
                setStatus(.unavailable, error: error.description)
            }
            throw error
        }
    }

    private func start() throws(NudityCheckError) -> RunningDetector {
        if let last = failedStart.withLock({ $0 }), Date().timeIntervalSince(last.at) < restartPause { throw last.error }
        do throws(NudityCheckError) {
            try launch.writeScript()
            let detector = try RunningDetector(launch)
            failedStart.withLock { $0 = nil }
            statusSlot.withLock { $0 = NudityDetectorStatus(state: .running, name: detector.detector) }
            return detector
        } catch {
            failedStart.withLock { $0 = (Date(), error) }
            if case .unavailable = error { setStatus(.unavailable, error: error.description) }
            throw error
        }
    }

    private func setStatus(_ state: NudityDetectorStatus.State, error: String?) {
        statusSlot.withLock { $0 = NudityDetectorStatus(state: state, name: $0.name, error: error) }
    }
}
