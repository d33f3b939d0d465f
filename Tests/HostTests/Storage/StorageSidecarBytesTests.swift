import Foundation
import XCTest
@testable import ImagegenCore
@testable import Pipeline

/// The sidecar is written without JSONEncoder (it runs for every stored image): its bytes must
/// stay the ones JSONEncoder wrote before, for every field and the escapes a prompt can hold.
final class StorageSidecarBytesTests: XCTestCase {
    private func encoderBytes(_ record: ImageRecord) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(record)) + [0x0A]
    }

    private func record() -> ImageRecord {
        let m = QualityMeasurements(laplacianVariance: 123.456, shadowClipFraction: 0, highlightClipFraction: 1e-7,
                                    meanLuminance: 0.30000000000000004, rmsContrast: 0.1, noiseSigma: 2.5e-5,
                                    meanA: -0.0, meanB: 12345678.9)
        return ImageRecord(
            imageID: "img_full", prompt: "a \"cat\" / dog\\ \n\t\r\u{8}\u{c}\u{1}\u{1f}\u{7f} é 😀", negativePrompt: "blur",
            model: "preview", parameters: .init(width: 1024, height: 768, steps: 30, guidanceScale: 7.5, seed: 4_294_967_295),
            category: "product", tags: ["red", "a/b", ""], filePath: "content/product/2026/01/img_full.png",
            metadata: .init(generatedAt: "2026-01-02T03:04:05.678Z", apiUsed: "preview/preview-1", cost: 0.04, processingTime: 1.0),
            status: ImageRecord.quarantined, version: 3, parentID: "img_parent", variant: "original",
            contentSHA256: String(repeating: "ab", count: 32), jobID: "job_full", mime: "image/png", bytes: 123_456,
            qualityScore: 87.5, quality: QualityReport(measurements: m, weights: QualityWeights()),
            outputCheck: NudityVerdict(quarantined: true, reason: NudityVerdict.exposedNudity,
                                       findings: [NudityFinding(label: "X", score: 0.91, box: [1, 2, 30, 40]),
                                                  NudityFinding(label: "Y", score: 1, box: [])],
                                       detector: "nudenet", rule: "exposed"),
            extra: ["template": "t", "a_b": "1", "aB": "2", "A": "3", "a10": "", "a2": "", "é": "x", "Z": "/"])
    }

    func testEveryFieldIsWrittenAsJSONEncoderWroteIt() throws {
        let full = record()
        XCTAssertEqual(String(decoding: try full.sidecarJSON(), as: UTF8.self), String(decoding: try encoderBytes(full), as: UTF8.self))
    }

    func testEmptyAndAbsentFieldsAreWrittenAsJSONEncoderWroteThem() throws {
        var bare = record()
        bare.negativePrompt = nil
        bare.parameters = .init(width: 8, height: 8)
        bare.metadata.cost = nil
        bare.metadata.processingTime = nil
        bare.parentID = nil
        bare.jobID = nil
        bare.qualityScore = nil
        bare.quality = nil
        bare.outputCheck = NudityVerdict(quarantined: false, reason: nil, findings: [], detector: "off")
        bare.tags = []
        bare.extra = [:]
        XCTAssertEqual(String(decoding: try bare.sidecarJSON(), as: UTF8.self), String(decoding: try encoderBytes(bare), as: UTF8.self))
        bare.outputCheck = nil
        XCTAssertEqual(String(decoding: try bare.sidecarJSON(), as: UTF8.self), String(decoding: try encoderBytes(bare), as: UTF8.self))
    }

    func testTheSidecarReadsBackAsTheRecord() throws {
        let full = record()
        XCTAssertEqual(try JSONDecoder().decode(ImageRecord.self, from: Data(try full.sidecarJSON())), full)
    }
}
