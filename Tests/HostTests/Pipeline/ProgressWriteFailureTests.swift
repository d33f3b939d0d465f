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

/// Progress written while polling is not the reference (that is committed before the first
/// poll): a failed progress write is logged and retried on the next poll, and the job goes on.
final class ProgressWriteFailureTests: XCTestCase {
    func testAProgressWriteThatFailsIsRetriedAndTheJobStillSucceeds() async throws {
        let host = try TestHost(label: "progwrite", config: "{ providers: { preview: { latency_ms: 400 } } }")
        let (service, failing, sqlite) = try WriteRefusingCatalog.service(for: host, refusing: .recordProgress)

        let jobs = try service.enqueue(GenerationRequest(model: "preview", prompt: "a green bowl", width: 64, height: 64))
        let id = try XCTUnwrap(jobs.first?.id)
        let runner = JobRunner(service: service)
        await runner.start()
        var finished: Job?
        for _ in 0..<200 {
            if let job = try sqlite.job(id), job.state.isTerminal { finished = job; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        await runner.stop(grace: 1)

        let job = try XCTUnwrap(finished, "the job finished")
        XCTAssertEqual(job.state, .succeeded, "\(job.errorCode ?? ""): \(job.errorMessage ?? "")")
        XCTAssertNotNil(job.jobRef, "the reference itself was committed")
        XCTAssertEqual(try sqlite.images(ImageFilter(jobID: id)).count, 1)
        XCTAssertGreaterThanOrEqual(failing.recordAttempts.withLock { $0 }, 2, "the failed write is made again on the next poll")
        XCTAssertTrue(host.lines.lines.contains { $0.contains(id) && $0.contains("cannot record progress") },
                      "the failed write is logged with the job id: \(host.lines.lines)")
    }
}
