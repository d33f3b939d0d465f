import Foundation
import XCTest
@testable import DurableFiles
@testable import ImagegenCore
@testable import Pipeline

/// A record that does not encode must fail the write, never leave an empty sidecar over a good one.
final class StorageSidecarEncodingTests: XCTestCase {
    func testARecordThatDoesNotEncodeFailsTheWriteAndKeepsTheOldSidecar() throws {
        let root = NSTemporaryDirectory() + "sidecar-encoding-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let content = ContentStore(dataDirectory: root)
        var record = ImageRecord(imageID: "img_nan", prompt: "p", negativePrompt: nil, model: "preview",
                                 parameters: .init(width: 8, height: 8, steps: nil, guidanceScale: nil, seed: 1),
                                 category: "product", tags: [], filePath: "content/product/2026/01/img_nan.png",
                                 metadata: .init(generatedAt: "2026-01-02T03:04:05.000Z", apiUsed: "preview/preview-1", cost: 0.01,
                                                 processingTime: 1),
                                 status: ImageRecord.completed, version: 1, parentID: nil, variant: "original",
                                 contentSHA256: String(repeating: "a", count: 64),
                                 jobID: nil, mime: "image/png", bytes: 3, qualityScore: nil, extra: [:])
        try content.writeSidecar(record)
        let sidecar = content.absolute(content.sidecarPath(for: record.filePath))
        let good = try Data(contentsOf: URL(fileURLWithPath: sidecar))

        record.metadata.cost = .nan
        XCTAssertThrowsError(try content.writeSidecar(record)) { error in
            XCTAssertTrue("\(error)".contains("cannot encode the sidecar"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: sidecar)), good, "the good sidecar is untouched")
    }
}
