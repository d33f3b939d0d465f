import Foundation
import Synchronization
import XCTest
@testable import Host
import ImagegenConfig
@testable import ImagegenCore
@testable import Pipeline

/// The detector sidecar when it misbehaves: fake detectors (shell scripts speaking the sidecar's
/// protocol) that hang at start, hang on an image, crash or write garbage. Each call ends within
/// the timeout with `.unavailable` naming what happened, the process is killed, and the next
/// call starts a fresh one. Nothing starts before the first image.
final class NudityDetectorFailureTests: XCTestCase {
    private var folder = ""

    override func setUp() {
        folder = TestEnvironment.temporaryDirectory("fake-detector")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)  // try?: test scratch cleanup
    }

    /// A fake detector: `body` runs after it appended a line to `starts` (one line per start).
    private func fake(_ name: String, _ body: String) throws -> (script: String, starts: String) {
        let script = folder + "/\(name).sh", starts = folder + "/\(name).starts"
        try "echo started >> '\(starts)'\n\(body)\n".write(toFile: script, atomically: true, encoding: .utf8)
        return (script, starts)
    }

    private func starts(_ file: String) -> Int {
        ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").count  // try?: no file is no start
    }

    private func sidecar(_ script: String, restartPause: Double = 0) -> NudeNetSidecar {
        NudeNetSidecar(script: script, python: "/bin/sh", timeout: 1, restartPause: restartPause)
    }

    private func unavailable(_ detector: NudeNetSidecar, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try detector.classify(files: [folder + "/image.png"])
            XCTFail("the check passed", file: file, line: line)
            return ""
        } catch {
            guard case .unavailable(let reason) = error else { XCTFail("\(error)", file: file, line: line); return "" }
            return reason
        }
    }

    private static let greeting = #"echo '{"detector": "fake 1"}'"#
    /// Answers every path with one finding until its input ends.
    private static let answers = #"while read path; do echo "{\"path\": \"$path\", \"detections\": [{\"label\": \"FACE_FEMALE\", \"score\": 0.9, \"box\": [1, 2, 3, 4]}]}"; done"#

    func testNothingStartsBeforeTheFirstImageAndAWorkingDetectorAnswers() throws {
        let (script, started) = try fake("working", "\(Self.greeting)\n\(Self.answers)")
        let detector = sidecar(script)
        XCTAssertEqual(detector.status.state, .notStarted)
        XCTAssertEqual(starts(started), 0, "building the check starts nothing")
        XCTAssertEqual(try detector.classify(files: [folder + "/a.png", folder + "/b.png"]).map { $0.map(\.label) },
                       [["FACE_FEMALE"], ["FACE_FEMALE"]])
        XCTAssertEqual(detector.name, "fake 1")
        XCTAssertEqual(detector.status, NudityDetectorStatus(state: .running, name: "fake 1"))
        XCTAssertEqual(starts(started), 1, "one process serves every image")
    }

    func testADetectorThatHangsAtStartIsKilledAndReported() throws {
        let (script, started) = try fake("hang-start", "exec sleep 30")
        let detector = sidecar(script)
        let reason = unavailable(detector)
        XCTAssertTrue(reason.contains("did not start within 1 s (output_check.timeout_seconds); it was killed"), reason)
        XCTAssertEqual(detector.status.state, .unavailable)
        XCTAssertTrue(detector.status.error?.contains(reason) ?? false, "\(detector.status)")
        XCTAssertTrue(detector.status.error?.contains("scripts/install-deps.sh") ?? false, "\(detector.status)")
        _ = unavailable(detector)
        XCTAssertEqual(starts(started), 2, "each call tries a fresh start once the pause is over")
    }

    func testAHungDetectorIsKilledAndTheNextImageGetsAFreshOne() throws {
        // The first process hangs on its first image; later ones answer.
        let marker = folder + "/hung-once"
        let (script, started) = try fake("hang-once", """
            \(Self.greeting)
            if [ ! -e '\(marker)' ]; then touch '\(marker)'; read path; exec sleep 30; fi
            \(Self.answers)
            """)
        let detector = sidecar(script)
        let reason = unavailable(detector)
        XCTAssertTrue(reason.contains("did not answer within 1 s (output_check.timeout_seconds); it was killed"), reason)
        XCTAssertEqual(detector.status.state, .unavailable)
        XCTAssertEqual(try detector.classify(files: [folder + "/next.png"]).first?.map(\.label), ["FACE_FEMALE"])
        XCTAssertEqual(detector.status.state, .running)
        XCTAssertEqual(starts(started), 2)
    }

    func testACrashingDetectorIsNamedWithWhatItSaid() throws {
        let (script, _) = try fake("crash", "\(Self.greeting)\nread path; echo 'Segmentation fault (core dumped)' >&2; exit 139")
        let reason = unavailable(sidecar(script))
        XCTAssertTrue(reason.contains("the detector stopped (exit status 139): Segmentation fault"), reason)
    }

    func testGarbageFromTheDetectorIsNotTakenForAVerdict() throws {
        let (garbled, _) = try fake("garbage", "\(Self.greeting)\nread path; echo '<html>oops</html>'; exec sleep 30")
        XCTAssertTrue(unavailable(sidecar(garbled)).contains("the detector's answer is not JSON (<html>oops</html>)"))
        let (noGreeting, _) = try fake("no-greeting", "echo 'Traceback (most recent call last):'; exec sleep 30")
        XCTAssertTrue(unavailable(sidecar(noGreeting)).contains("the detector's first line is not its greeting (Traceback"))
    }

    func testAFailedStartIsNotRetriedForEveryImageDuringThePause() throws {
        let (script, started) = try fake("missing-module", "echo 'No module named nudenet' >&2; exit 3")
        let detector = sidecar(script, restartPause: 600)
        let first = unavailable(detector)
        XCTAssertTrue(first.contains("the detector did not start (exit status 3): No module named nudenet"), first)
        XCTAssertEqual(unavailable(detector), first)
        XCTAssertEqual(starts(started), 1, "the second image failed at once, without a second start")
        // No interpreter at all: named, with what to install.
        let none = NudeNetSidecar(script: script, python: folder + "/no-python3")
        XCTAssertThrowsError(try none.classify(files: [folder + "/x.png"])) { error in
            XCTAssertTrue("\(error)".contains("cannot start \(self.folder)/no-python3"), "\(error)")
            XCTAssertTrue("\(error)".contains("scripts/install-deps.sh"), "\(error)")
        }
    }

    /// With two processes, an image that arrives while the first is busy goes to a second one,
    /// started then; alone, images reuse the first. The fake answers with its process id.
    func testASecondProcessStartsOnlyWhenTheFirstIsBusy() throws {
        let body = #"while read path; do sleep 1; echo "{\"path\": \"$path\", \"detections\": [{\"label\": \"pid-$$\", \"score\": 0.9, \"box\": [1, 2, 3, 4]}]}"; done"#
        let (script, started) = try fake("pool", "\(Self.greeting)\n\(body)")
        let detector = NudeNetSidecar(script: script, python: "/bin/sh", timeout: 10, restartPause: 0, processes: 2)
        let image = folder + "/image.png"
        @Sendable func label() throws -> String { try detector.classify(files: [image])[0][0].label }
        let first = try label(), again = try label()
        XCTAssertEqual(first, again, "one image at a time: the first process answers both")
        XCTAssertEqual(starts(started), 1)

        let labels = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            // try?: a failed call leaves one label, which the assertion below reports
            if let l = try? label() { labels.withLock { $0.append(l) } }
        }
        XCTAssertEqual(Set(labels.withLock { $0 }).count, 2, "two images at once went to two processes: \(labels.withLock { $0 })")
        XCTAssertEqual(starts(started), 2, "the second process started when the first was busy, and only then")
        XCTAssertEqual(detector.status.state, .running)
        // The default: one process per two cores, at least one, at most four.
        XCTAssertEqual([1, 2, 3, 8, 16].map { OutputCheckSettings().effectiveProcesses(cores: $0) }, [1, 1, 1, 4, 4])
        var three = OutputCheckSettings()
        three.processes = 3
        XCTAssertEqual(three.effectiveProcesses(cores: 2), 3)
    }

    /// A spare process that died stays down until it is needed again; health follows the process
    /// that checks the images, so the host is not reported degraded while it works.
    func testASpareProcessThatDiedDoesNotMakeTheCheckUnavailable() throws {
        let body = #"while read path; do case "$path" in *crash*) exit 1;; esac; sleep 1; echo "{\"path\": \"$path\", \"detections\": []}"; done"#
        let (script, _) = try fake("spare", "\(Self.greeting)\n\(body)")
        let detector = NudeNetSidecar(script: script, python: "/bin/sh", timeout: 10, restartPause: 0, processes: 2)
        let slow = folder + "/slow.png", crash = folder + "/crash.png"
        let outcomes = Mutex<[String: Bool]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            if i == 1 { usleep(200_000) }  // the second arrives while the first process is busy
            let file = i == 0 ? slow : crash
            // try?: the crashing image's failure is the point; recorded as false
            let answered = (try? detector.classify(files: [file])) != nil
            outcomes.withLock { $0[file] = answered }
        }
        XCTAssertEqual(outcomes.withLock { $0 }, [slow: true, crash: false])
        XCTAssertEqual(detector.status.state, .running, "the first process still checks images: \(detector.status)")
        XCTAssertNoThrow(try detector.classify(files: [slow]))
    }
}
