import Foundation
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import Host
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import ImagegenJSON
@testable import Pipeline
@testable import Security

/// The provider's job reference is the never-pay-twice promise: when it cannot be written, the
/// job must end in a safe state instead of being polled (or resubmitted) without it.
final class ReferenceWriteFailureTests: XCTestCase {
    func testAReferenceThatCannotBeRecordedEndsTheJobWithoutPollingOrResubmitting() async throws {
        let submitLog = TestEnvironment.temporaryDirectory("refwrite-log") + "/submits.log"
        let host = try TestHost(label: "refwrite", config: "{ providers: { preview: { submit_log: \"\(submitLog)\", latency_ms: 50 } } }")
        let (service, failing, sqlite) = try WriteRefusingCatalog.service(for: host, refusing: .recordSubmitted)

        let jobs = try service.enqueue(GenerationRequest(model: "preview", prompt: "a blue vase", width: 64, height: 64))
        let id = try XCTUnwrap(jobs.first?.id)
        let runner = JobRunner(service: service)
        await runner.start()
        let finished = try await waitForTerminal(id, in: sqlite)
        await runner.stop(grace: 1)

        XCTAssertEqual(finished.state, .failed)
        XCTAssertEqual(finished.errorCode, "catalog_unavailable")
        XCTAssertNil(finished.jobRef, "no reference was ever committed")
        XCTAssertEqual(failing.recordAttempts.withLock { $0 }, 1 + JobExecution.referenceRetryDelays.count,
                       "the write is retried before the job is given up")
        XCTAssertEqual(try sqlite.images(ImageFilter(jobID: id)).count, 0, "nothing was fetched or stored")
        XCTAssertEqual(try submits(submitLog), [id], "sent exactly once")

        // A second runner over the same catalog (a restart) leaves the ended job alone.
        let again = JobRunner(service: GenerationService(runtime: service.runtime, catalog: sqlite))
        await again.start()
        try await Task.sleep(for: .milliseconds(300))
        await again.stop(grace: 1)
        XCTAssertEqual(try submits(submitLog), [id], "never resubmitted")
    }

    private func submits(_ path: String) throws -> [String] {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    private func waitForTerminal(_ id: String, in catalog: SQLiteCatalog) async throws -> Job {
        for _ in 0..<200 {
            if let job = try catalog.job(id), job.state.isTerminal { return job }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw XCTSkip("job \(id) did not finish")
    }
}
