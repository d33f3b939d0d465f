import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import ImagegenCore
@testable import Pipeline

/// Kills the host with SIGKILL at each point of a job's life, restarts it, and checks that the
/// job finishes with exactly one submission to the provider and exactly one stored image.
final class CrashRecoveryTests: XCTestCase {
    struct Outcome {
        var job: Job
        var submits: Int
        var pngFiles: [String]
        var imageRows: Int
        var derivativeRows: Int
        var ledgerRows: Int
        /// Each stored image: its sidecar as read from disk (prompts opened) and its catalog row.
        var sidecarsAndRows: [(sidecar: ImageRecord?, row: ImageRecord)]
    }

    func crashAndResume(at point: String, previewVariant: [String]? = nil, latencyMs: Int = 150) throws -> Outcome {
        let folder = TestEnvironment.temporaryDirectory("crash-\(point)")
        let submitLog = folder + "/submits.log"
        var extra: [String] = []
        var plugins = ["preview"]
        var pluginID = "preview"
        if let defines = previewVariant {
            extra = [try TestHost.compilePreviewVariant(id: "preview-x", extraDefines: defines, into: folder)]
            plugins = []
            pluginID = "preview-x"
        }
        let host = try TestHost(label: "crash", plugins: plugins, extraPlugins: extra, config: """
            { providers: { "\(pluginID)": { latency_ms: \(latencyMs), submit_log: "\(submitLog)" } } }
            """)
        let first = try host.cli(["generate", "--prompt", "a crash test", "--width", "64", "--height", "64"],
                                 environment: ["IMAGEGEN_CRASH_AT": point])
        XCTAssertTrue(first.signalled, "the host should have been killed at \(point): \(first.stderr)")
        let second = try host.cli(["jobs", "run"])
        XCTAssertEqual(second.status, 0, second.stderr)
        let jobs = try host.catalog().jobs(state: nil, batch: nil, limit: 10)
        XCTAssertEqual(jobs.count, 1)
        let submits = ((try? String(contentsOfFile: submitLog, encoding: .utf8)) ?? "").split(separator: "\n").count
        let content = host.paths.data + "/content"
        let files = (FileManager.default.enumerator(atPath: content)?.allObjects as? [String] ?? [])
        let catalog = try host.catalog()
        let sidecars = ContentStore(dataDirectory: host.paths.data, prompts: catalog.promptProtection)
        let pairs = try catalog.images(ImageFilter()).map { listed in
            let row = try XCTUnwrap(try catalog.image(revealingPrompts: listed.imageID))
            return (sidecar: sidecars.readSidecar(relativeImagePath: row.filePath), row: row)
        }
        return Outcome(job: jobs[0], submits: submits, pngFiles: files.filter { $0.hasSuffix(".png") || ($0.hasSuffix(".tmp") && $0.contains(".png.")) },
                       imageRows: try host.catalog().images(ImageFilter()).count,
                       derivativeRows: try host.catalog().images(ImageFilter()).map {
                           try host.catalog().derivatives(of: $0.imageID).count
                       }.reduce(0, +),
                       ledgerRows: try host.catalog().ledger(since: nil).count, sidecarsAndRows: pairs)
    }

    func assertCompletedOnce(_ o: Outcome, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(o.job.state, .succeeded, o.job.errorMessage ?? "", file: file, line: line)
        XCTAssertEqual(o.submits, 1, "submitted \(o.submits) times", file: file, line: line)
        XCTAssertEqual(o.pngFiles.count, 1, "files: \(o.pngFiles)", file: file, line: line)
        XCTAssertEqual(o.imageRows, 1, file: file, line: line)
        XCTAssertEqual(o.derivativeRows, 6, "one set of derivatives, whatever the crash point", file: file, line: line)
        XCTAssertEqual(o.ledgerRows, 1, file: file, line: line)
        assertSidecarsMatchCatalog(o, file: file, line: line)
    }

    /// The sidecar is a copy of the catalog row, whichever run wrote it: a resumed run must not
    /// leave its own timings in the file while the catalog keeps the first run's.
    func assertSidecarsMatchCatalog(_ o: Outcome, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(o.sidecarsAndRows.isEmpty, "no image to compare", file: file, line: line)
        for (sidecar, row) in o.sidecarsAndRows {
            guard let sidecar else {
                XCTFail("\(row.imageID) has no readable sidecar", file: file, line: line)
                continue
            }
            XCTAssertEqual(sidecar.metadata.generatedAt, row.metadata.generatedAt, "generated_at", file: file, line: line)
            XCTAssertEqual(sidecar.metadata.processingTime, row.metadata.processingTime, "processing_time", file: file, line: line)
            XCTAssertEqual(sidecar.metadata.cost, row.metadata.cost, "cost", file: file, line: line)
            XCTAssertEqual(sidecar, row, "every field of \(row.imageID)", file: file, line: line)
        }
    }

    func testKilledBeforeSubmitIsSubmittedOnceAfterRestart() throws {
        let o = try crashAndResume(at: "before_submit")
        assertCompletedOnce(o)
    }

    func testKilledAfterSubmitIsPolledNotResubmitted() throws {
        let o = try crashAndResume(at: "after_submit")
        assertCompletedOnce(o)
        XCTAssertEqual(o.job.submitCount, 1)
    }

    func testKilledWhilePollingResumesPolling() throws {
        assertCompletedOnce(try crashAndResume(at: "while_polling"))
    }

    func testKilledWhileWritingTheFileStoresItOnce() throws {
        assertCompletedOnce(try crashAndResume(at: "while_writing"))
    }

    func testKilledAfterStoringBeforeFinishingDoesNotStoreTwice() throws {
        assertCompletedOnce(try crashAndResume(at: "after_store"))
    }

    func testKilledDuringSubmitToANonIdempotentProviderIsNotSentAgain() throws {
        let o = try crashAndResume(at: "during_submit", previewVariant: ["PREVIEW_NOT_IDEMPOTENT"])
        XCTAssertEqual(o.job.state, .failed)
        XCTAssertEqual(o.job.errorCode, "submit_outcome_unknown")
        XCTAssertEqual(o.submits, 0, "the crash came before the provider call; the restart must not call it either")
        XCTAssertTrue(o.job.errorMessage?.contains("to avoid paying twice") ?? false)
    }

    func testKilledDuringSubmitToAnIdempotentProviderIsSentAgainOnce() throws {
        let o = try crashAndResume(at: "during_submit")
        assertCompletedOnce(o)
    }
}
