import XCTest
import Foundation
@testable import Host
import ImagegenCore

/// `generate`'s terminal line: one short summary a batch, never longer than the terminal.
final class BatchProgressLineTests: XCTestCase {
    private func job(_ state: String, cost: Double? = nil, reserved: Double? = nil) throws -> Job {
        var fields: [String: Any] = [
            "id": UUID().uuidString, "batch_id": "bat", "state": state, "cancel_requested": false, "model": "preview",
            "category": "product", "priority": 0, "prompt": "x", "parameters": ["width": 64, "height": 64],
            "outputs": 1, "extra": [String: String](), "tags": [String](), "submit_count": 0, "tried": [String](),
            "created_at": 0, "updated_at": 0, "deadline_at": 0,
        ]
        if let cost { fields["cost_usd"] = cost }
        if let reserved { fields["reserved_usd"] = reserved }
        return try JSONDecoder().decode(Job.self, from: JSONSerialization.data(withJSONObject: fields))
    }

    func testSixteenJobsSummariseOnOneShortLine() throws {
        var jobs: [Job] = []
        for _ in 0..<12 { jobs.append(try job("succeeded", cost: 0.03)) }
        for _ in 0..<3 { jobs.append(try job("running", reserved: 0)) }
        jobs.append(try job("queued"))
        let line = BatchProgressLine(width: 119).render(jobs, elapsed: 8.24)
        XCTAssertEqual(line, "12/16 done · 3 running · 1 queued · $0.36 · 8.2 s")
    }

    func testFailuresAreCountedApartFromDone() throws {
        let jobs = [try job("succeeded"), try job("failed"), try job("content_filtered")]
        XCTAssertEqual(BatchProgressLine(width: 200).render(jobs, elapsed: 1), "1/3 done · 2 failed · 1.0 s")
    }

    func testTheLineNeverExceedsTheTerminalWidth() throws {
        let jobs = try (0..<500).map { _ in try job("queued") }
        for width in [10, 20, 30] {
            let line = BatchProgressLine(width: width).render(jobs, elapsed: 123.4)
            XCTAssertLessThanOrEqual(line.count, width, line)
            XCTAssertTrue(line.hasSuffix("…"), line)
        }
    }
}
