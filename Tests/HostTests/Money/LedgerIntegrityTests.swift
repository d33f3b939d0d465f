import Foundation
import XCTest
@testable import CatalogSQLite
@testable import ImagegenCore

/// Storing an image and its charge is idempotent, but never silent about a row it cannot write:
/// only the repeat of the same (job, output) is skipped, a row that fails a CHECK is an error.
final class LedgerIntegrityTests: XCTestCase {
    private func record(_ id: String, job: String) -> ImageRecord {
        ImageRecord(imageID: id, prompt: "p", negativePrompt: nil, model: "preview",
                    parameters: .init(width: 8, height: 8, steps: nil, guidanceScale: nil, seed: 1),
                    category: "product", tags: [], filePath: "content/product/2026/01/\(id).png",
                    metadata: .init(generatedAt: "2026-01-02T03:04:05.000Z", apiUsed: "preview/preview-1", cost: 0.04, processingTime: 1),
                    status: ImageRecord.completed, version: 1, parentID: nil, variant: "original",
                    contentSHA256: String(repeating: "a", count: 64), jobID: job, mime: "image/png", bytes: 3, extra: [:])
    }

    func testARepeatIsSkippedButAnInvalidChargeIsAnErrorAndStoresNothing() throws {
        let catalog = try SQLiteCatalog(path: TestEnvironment.temporaryDirectory("ledger") + "/catalog.sqlite")
        let first = record("img_1", job: "job_1")
        try catalog.storeImage(first, outputIndex: 0, pluginID: "preview", providerModel: "p1", costSource: "provider")
        try catalog.storeImage(first, outputIndex: 0, pluginID: "preview", providerModel: "p1", costSource: "provider")
        XCTAssertEqual(try catalog.database.query("SELECT COUNT(*) AS n FROM ledger").first?["n"]?.int, 1, "a repeat is skipped")

        // A cost source the ledger does not know: with OR IGNORE the charge vanished and the call succeeded.
        XCTAssertThrowsError(try catalog.storeImage(record("img_2", job: "job_2"), outputIndex: 0, pluginID: "preview",
                                                    providerModel: "p1", costSource: "guessed"))
        XCTAssertEqual(try catalog.database.query("SELECT COUNT(*) AS n FROM ledger").first?["n"]?.int, 1)
        XCTAssertEqual(try catalog.database.query("SELECT COUNT(*) AS n FROM images WHERE id = 'img_2'").first?["n"]?.int, 0,
                       "the image row rolls back with its charge")
    }
}
