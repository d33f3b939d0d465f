import Foundation
import XCTest
@testable import Catalog
@testable import ImagegenCore
@testable import Operations

/// `plan history` shows what a slot came to: a queued run's outcome follows its jobs.
final class SlotRunOutcomeTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_780_000_000)

    private func run(_ status: SlotRunStatus, jobs: [String]) -> SlotRun {
        SlotRun(occurrenceKey: "daily/feet@2026-06-01", slotID: "daily/feet", kind: .generate, scheduledStart: now,
                scheduledEnd: now.addingTimeInterval(3600), trigger: .scheduled, status: status, recordedAt: now,
                requestedCount: jobs.count, jobIDs: jobs)
    }

    private func job(_ id: String, _ state: JobState) -> Job {
        Job(id: id, batchID: "b", state: state, cancelRequested: false, model: "preview", category: "product", priority: 0,
            prompt: "x", parameters: GenerationParameters(width: 64, height: 64), outputs: 1, extra: [:], tags: [],
            submitCount: 0, tried: [], createdAt: now, updatedAt: now, deadlineAt: now.addingTimeInterval(600))
    }

    func testAQueuedRunTakesItsOutcomeFromItsJobs() {
        let queued = run(.queued, jobs: ["a", "b"])
        XCTAssertEqual(SlotRunOutcome(run: queued, jobs: [job("a", .succeeded), job("b", .succeeded)]), .succeeded)
        XCTAssertEqual(SlotRunOutcome(run: queued, jobs: [job("a", .queued), job("b", .queued)]), .queued)
        XCTAssertEqual(SlotRunOutcome(run: queued, jobs: [job("a", .succeeded), job("b", .running)]), .running)
        XCTAssertEqual(SlotRunOutcome(run: queued, jobs: [job("a", .succeeded), job("b", .contentFiltered)]), .partlyFailed)
        XCTAssertEqual(SlotRunOutcome(run: queued, jobs: [job("a", .failed), job("b", .cancelled)]), .failed)
        // Jobs of other runs do not count.
        XCTAssertEqual(SlotRunOutcome(run: queued, jobs: [job("a", .succeeded), job("b", .succeeded), job("c", .failed)]), .succeeded)
        XCTAssertEqual(SlotRunOutcome(run: queued, jobs: []), .queued, "jobs the catalog no longer has: as recorded")
    }

    func testOtherStatusesAreShownAsRecorded() {
        XCTAssertEqual(SlotRunOutcome(run: run(.skipped, jobs: []), jobs: []), .skipped)
        XCTAssertEqual(SlotRunOutcome(run: run(.missed, jobs: []), jobs: []), .missed)
        XCTAssertEqual(SlotRunOutcome(run: run(.failed, jobs: []), jobs: []), .failed)
        XCTAssertEqual(SlotRunOutcome(run: run(.completed, jobs: []), jobs: []), .completed)
        XCTAssertEqual(SlotRunOutcome(run: run(.claimed, jobs: ["a"]), jobs: [job("a", .succeeded)]), .claimed)
    }
}
