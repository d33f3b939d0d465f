import Foundation
import XCTest
@testable import Host
@testable import ImagegenCore
@testable import Imaging
@testable import Pipeline

/// The output nudity check's pieces (issue 17 item 6): the quarantine rules driven by recorded
/// NudeNet outputs, and the real detector (the `nudenet` wheel's ONNX model through onnxruntime,
/// offline) on images with known verdicts. The pipeline wiring: OutputCheckPipelineTests.
final class NudityOutputCheckTests: XCTestCase {
    private static let script = TestEnvironment.repositoryRoot + "/share/classifiers/nudenet-detect.py"

    /// Recorded detector outputs, in the script's format (labels and scores as NudeNet 3.4 reports them).
    private func recorded(_ json: String) throws -> [NudityFinding] {
        try JSONDecoder().decode([NudityFinding].self, from: Data(json.utf8))
    }

    func testQuarantineRulesFromRecordedDetectorOutputs() throws {
        let rules = NudityRules()
        let topless = try recorded("""
            [{"label":"FACE_FEMALE","score":0.88,"box":[410,120,150,160]},
             {"label":"FEMALE_BREAST_EXPOSED","score":0.81,"box":[380,420,120,110]},
             {"label":"BELLY_EXPOSED","score":0.52,"box":[400,560,180,120]}]
            """)
        let product = rules.verdict(topless, adultCategory: false, category: "product", detector: "nudenet 3.4.2")
        XCTAssertTrue(product.quarantined)
        XCTAssertEqual(product.reason, "exposed nudity in the non-adult category product: FEMALE_BREAST_EXPOSED (score 0.81)")
        XCTAssertEqual(product.findings.map(\.label), ["FACE_FEMALE", "FEMALE_BREAST_EXPOSED", "BELLY_EXPOSED"])
        // The same image in an adult category is within the non-explicit line.
        XCTAssertFalse(rules.verdict(topless, adultCategory: true, category: "artistic_nude", detector: "n").quarantined)

        let lingerie = try recorded("""
            [{"label":"FEMALE_BREAST_COVERED","score":0.74,"box":[1,2,3,4]},{"label":"BUTTOCKS_EXPOSED","score":0.61,"box":[1,2,3,4]},
             {"label":"FEMALE_GENITALIA_COVERED","score":0.58,"box":[1,2,3,4]}]
            """)
        XCTAssertFalse(rules.verdict(lingerie, adultCategory: true, category: "lingerie", detector: "n").quarantined)
        let outside = rules.verdict(lingerie, adultCategory: false, category: "fashion", detector: "n")
        XCTAssertTrue(outside.quarantined, "exposed buttocks outside the adult categories")
        XCTAssertTrue(outside.reason?.contains("BUTTOCKS_EXPOSED") ?? false)

        let explicit = try recorded(#"[{"label":"FEMALE_GENITALIA_EXPOSED","score":0.66,"box":[1,2,3,4]}]"#)
        let adult = rules.verdict(explicit, adultCategory: true, category: "lingerie", detector: "n")
        XCTAssertTrue(adult.quarantined)
        XCTAssertEqual(adult.reason, "explicit nudity is beyond what the adult category lingerie allows: FEMALE_GENITALIA_EXPOSED (score 0.66)")

        // Below the threshold a finding neither quarantines nor is kept; at it, it counts.
        let faint = try recorded(#"[{"label":"MALE_GENITALIA_EXPOSED","score":0.31,"box":[]}]"#)
        let clean = rules.verdict(faint, adultCategory: false, category: "product", detector: "n")
        XCTAssertFalse(clean.quarantined)
        XCTAssertEqual(clean.findings, [])
        let edge = [NudityFinding(label: "ANUS_EXPOSED", score: rules.threshold)]
        XCTAssertTrue(rules.verdict(edge, adultCategory: true, category: "lingerie", detector: "n").quarantined)
        // The verdict round-trips as the image record would keep it.
        XCTAssertEqual(try JSONDecoder().decode(NudityVerdict.self, from: try JSONEncoder().encode(product)), product)
    }

    func testTheOfflineDetectorPassesGeneratedCleanImagesAndNamesAnUnreadableOne() async throws {
        let detector: NudeNetSidecar
        do {
            detector = try NudeNetSidecar(script: Self.script).identified()
        } catch {
            return XCTFail("\(error)")
        }
        XCTAssertTrue(detector.name.hasPrefix("nudenet "), detector.name)
        // Clean 1024² images as a provider would send them (Preview's).
        let folder = TestEnvironment.temporaryDirectory("nudity-check")
        defer { try? FileManager.default.removeItem(atPath: folder) }  // try?: test scratch cleanup
        let host = try TestHost(label: "nudity-check")
        let generator = try host.generator()
        let batch = try await generator.generateCustom(prompt: "a ceramic teapot on a kitchen shelf",
                                                       parameters: GenerationParameters(width: 1024, height: 1024, seed: 8), variations: 2)
        await generator.shutdown()
        let files = batch.map { host.paths.data + "/" + $0.filePath }
        XCTAssertEqual(files.count, 2)
        let started = Date()
        let findings = try detector.classify(files: files)
        let perImage = Date().timeIntervalSince(started) / Double(files.count)
        print("nudity check: \(String(format: "%.3f", perImage)) s per 1024x1024 image (process start and model load included)")
        XCTAssertEqual(findings.count, 2)
        for (file, found) in zip(files, findings) {
            let verdict = NudityRules().verdict(found, adultCategory: false, category: "product", detector: detector.name)
            XCTAssertFalse(verdict.quarantined, "\(file): \(verdict)")
        }
        // A file that is not an image is named, not passed.
        let junk = folder + "/junk.png"
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: junk))
        XCTAssertThrowsError(try detector.classify(files: [junk])) { error in
            guard case .unreadable(let path, _)? = error as? NudityCheckError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, junk)
        }
        // No detector: a clear error saying how to install it.
        XCTAssertThrowsError(try NudeNetSidecar(script: folder + "/missing.py").classify(files: files)) { error in
            XCTAssertTrue("\(error)".contains("install-deps.sh"), "\(error)")
        }
    }
}
