import Foundation
import Synchronization
import DurableFiles
import ImagegenCore

/// NudeNet's ONNX detector (inside the `nudenet` wheel, run by onnxruntime on the CPU, nothing
/// downloaded) through a small Python script, `share/classifiers/nudenet-detect.py`, kept running
/// (`--serve`). It starts on the first image to check, not when the host opens (a CLI command
/// that generates nothing never pays Python's start); the model then loads once per host and
/// each image costs only its detection. A detector that does not start or answer within
/// `timeout` seconds is killed and started again for the next image. Copies share the processes.
///
/// With `processes` above one, an image goes to the first idle process; another process starts
/// only when all the started ones are busy, so a quiet host keeps one.
public struct NudeNetSidecar: NudityClassifier {
    public let script: String
    public let python: String
    public let timeout: Double
    private let sessions: [SidecarSession]
    private let turn = Turn()

    /// Which busy process a call waits for when none is idle (round robin).
    private final class Turn: Sendable {
        private let next = Atomic<Int>(0)
        func take(_ count: Int) -> Int { next.add(1, ordering: .relaxed).oldValue % count }
    }

    /// - Parameters:
    ///   - python: the interpreter; `/usr/bin/env` runs PATH's `python3`.
    ///   - scriptText: when given, written to `script` before each start when the file differs
    ///     (the host ships the script inside its binary).
    ///   - restartPause: after a start fails, later images fail at once for this long instead of
    ///     each waiting for another start.
    ///   - processes: at most this many detector processes at once (at least one).
    public init(script: String, python: String = "/usr/bin/env", timeout: Double = 30, scriptText: String? = nil,
                restartPause: Double = 5, processes: Int = 1) {
        self.script = script
        self.python = python
        self.timeout = timeout
        let launch = DetectorLaunch(script: script, scriptText: scriptText, python: python, timeout: timeout)
        sessions = (0..<max(1, processes)).map { _ in SidecarSession(launch: launch, restartPause: restartPause) }
    }

    /// `nudenet 3.4.2` as the running script reports it; `nudenet` before its first start.
    public var name: String { sessions.lazy.compactMap(\.status.name).first ?? "nudenet" }

    /// Running while any process runs (images are being checked); otherwise why one cannot run.
    /// A spare process that failed once stays so until it is needed again, which must not leave
    /// the host degraded while the first one checks every image.
    public var status: NudityDetectorStatus {
        let all = sessions.map(\.status)
        return all.first { $0.state == .running } ?? all.first { $0.state == .unavailable } ?? all[0]
    }

    public func classify(files: [String]) throws(NudityCheckError) -> [[NudityFinding]] {
        let detect = { (process: RunningDetector) throws(NudityCheckError) -> [[NudityFinding]] in
            try files.map { file throws(NudityCheckError) in try process.detect(file) }
        }
        for session in sessions {
            if let found = try session.withRunningIfIdle(detect) { return found }
        }
        return try sessions[turn.take(sessions.count)].withRunning(detect)
    }

    /// Starts the first detector process now (a check, a benchmark or a warm-up) and returns this
    /// value. Throws `.unavailable` naming what to install when it cannot start.
    @discardableResult
    public func identified() throws(NudityCheckError) -> NudeNetSidecar {
        try sessions[0].withRunning { (_: RunningDetector) throws(NudityCheckError) in () }
        return self
    }
}

/// How to start the detector.
struct DetectorLaunch: Sendable {
    var script: String
    var scriptText: String?
    var python: String
    var timeout: Double

    /// Writes the shipped script when the file on disk is missing or differs.
    func writeScript() throws(NudityCheckError) {
        guard let scriptText else { return }
        let text = Array((scriptText + "\n").utf8)
        guard FileManager.default.contents(atPath: script).map(Array.init) != text else { return }
        do { try AtomicFile.write(text, to: script, mode: 0o644) } catch {
            throw .unavailable("cannot write the detector's script \(script): \(error)")
        }
    }
}
