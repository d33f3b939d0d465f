import Foundation
import XCTest
@testable import Catalog
@testable import CatalogSQLite
@testable import Composition
@testable import Host
@testable import ImagegenCore
@testable import Operations
@testable import Pipeline
import ImagegenTestSupport

/// The output nudity check wired into the pipeline (issue 17 item 6): every generated image is
/// classified after the libvips check and before it is stored as a good image. The rules are
/// driven by recorded NudeNet outputs (`RecordedNudityClassifier`); the real detector runs in
/// `testTheRealDetectorKeepsAGeneratedCleanImage`.
final class OutputCheckPipelineTests: XCTestCase {
    private static let attested = #"attestation: { attested_by: "Output Check Test", attested_at: "2026-01-01" }"#
    private static let size = GenerationParameters(width: 1024, height: 1024, seed: 5)

    private func finding(_ label: String, _ score: Double, box: [Int] = [100, 60, 40, 32]) -> NudityFinding {
        NudityFinding(label: label, score: score, box: box)
    }

    private func host(_ label: String, answers: [[NudityFinding]], config: String = "{ \(attested) }")
        throws -> (TestHost, ImageGenerator, RecordedNudityClassifier) {
        let host = try TestHost(label: label, config: config)
        let generator = try host.generator()
        let detector = RecordedNudityClassifier(answers: answers)
        generator.composition.service.useOutputCheck(OutputCheck(classifier: detector))
        return (host, generator, detector)
    }

    func testExposedNudityOutsideAdultCategoriesIsQuarantinedKeptAndNeverPublished() async throws {
        let (host, generator, detector) = try host("oc-product", answers: [
            [finding("FACE_FEMALE", 0.9), finding("FEMALE_BREAST_EXPOSED", 0.81)],
            [finding("FACE_FEMALE", 0.88)],
        ])
        let held = try await generator.generateCustom(prompt: "a ceramic teapot on a shelf", parameters: Self.size, category: "product")[0]
        let clean = try await generator.generateCustom(prompt: "a ceramic teapot on a table", parameters: Self.size, category: "product")[0]
        await generator.shutdown()

        // The detector got the pipeline's own decode, shrunk to NudeNet's input size.
        XCTAssertEqual(detector.inputSizes.map { [$0.width, $0.height] }, [[320, 320], [320, 320]])
        XCTAssertEqual(held.status, ImageRecord.quarantined)
        let verdict = try XCTUnwrap(held.outputCheck)
        XCTAssertTrue(verdict.quarantined)
        XCTAssertEqual(verdict.reason, "exposed nudity in the non-adult category product: FEMALE_BREAST_EXPOSED (score 0.81)")
        XCTAssertEqual(verdict.detector, "recorded nudenet 3.4.2")
        // Boxes are in the stored image's pixels (320 → 1024: × 3.2).
        XCTAssertEqual(verdict.findings.first { $0.label == "FEMALE_BREAST_EXPOSED" }?.box, [320, 192, 128, 102])
        XCTAssertEqual(clean.status, ImageRecord.completed)
        XCTAssertEqual(clean.outputCheck?.quarantined, false)
        XCTAssertEqual(clean.outputCheck?.findings.map(\.label), ["FACE_FEMALE"])

        // Kept: the file, and the verdict in the catalog row and the sidecar.
        let catalog = try host.catalog()
        XCTAssertTrue(FileManager.default.fileExists(atPath: host.paths.data + "/" + held.filePath))
        XCTAssertEqual(try catalog.image(held.imageID)?.outputCheck, verdict)
        XCTAssertEqual(try catalog.image(held.imageID)?.status, ImageRecord.quarantined)
        let sidecar = try XCTUnwrap(ContentStore(dataDirectory: host.paths.data).readSidecar(relativeImagePath: held.filePath))
        XCTAssertEqual(sidecar.outputCheck, verdict)

        // Never available; visible to reviewers under its own filter.
        var available = ImageFilter()
        available.availableOnly = true
        XCTAssertEqual(try catalog.imagePage(available).images.map(\.record.imageID), [clean.imageID])
        XCTAssertEqual(try catalog.imagePage(ImageFilter(status: ImageRecord.quarantined)).images.map(\.record.imageID), [held.imageID])
        let listed = try host.cli(["images", "list", "--quarantined", "--json"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains(held.imageID) && !listed.stdout.contains(clean.imageID), listed.stdout)
        XCTAssertTrue(listed.stdout.contains("FEMALE_BREAST_EXPOSED"), listed.stdout)

        // Never uploaded: neither by the storing hook nor by the start-up reconciliation.
        let uploads = try UploadQueue(catalog: catalog)
        let observe = uploads.observer(sidecars: true, log: host.log)
        observe(ImageStoredEvent(record: held, dataDirectory: host.paths.data))
        observe(ImageStoredEvent(record: clean, dataDirectory: host.paths.data))
        XCTAssertEqual(try uploads.items(imageID: held.imageID), [])
        XCTAssertFalse(try uploads.items(imageID: clean.imageID).isEmpty)
        XCTAssertFalse(try catalog.imagesWithoutUpload().contains { $0.imageID == held.imageID })

        // No derivative is made of it.
        let again = try host.generator()
        let queue = try XCTUnwrap(try again.composition.postProcessingQueue())
        XCTAssertThrowsError(try queue.processor.process(imageID: held.imageID, trigger: .manual)) { error in
            XCTAssertEqual(error as? PostProcessingError, .heldBack(imageID: held.imageID, status: ImageRecord.quarantined))
        }
        await again.shutdown()
        XCTAssertEqual(try catalog.database.query("SELECT COUNT(*) AS n FROM images WHERE parent_id = ?", [.text(held.imageID)]).first?["n"]?.int, 0)
    }

    func testAdultCategoriesQuarantineOnlyWhatIsBeyondTheNonExplicitLine() async throws {
        let (host, generator, _) = try host("oc-adult", answers: [
            [finding("FEMALE_BREAST_EXPOSED", 0.83), finding("BUTTOCKS_EXPOSED", 0.6)],
            [finding("FEMALE_GENITALIA_EXPOSED", 0.71), finding("FEMALE_BREAST_EXPOSED", 0.8)],
        ])
        let nonExplicit = try await generator.generateCustom(prompt: "adult woman in black lace lingerie, studio light",
                                                             parameters: Self.size, category: "lingerie")[0]
        let explicit = try await generator.generateCustom(prompt: "adult woman in red lace lingerie, studio light",
                                                          parameters: Self.size, category: "lingerie")[0]
        await generator.shutdown()
        XCTAssertEqual(nonExplicit.status, ImageRecord.completed, "\(String(describing: nonExplicit.outputCheck))")
        XCTAssertEqual(nonExplicit.outputCheck?.findings.count, 2)
        XCTAssertEqual(explicit.status, ImageRecord.quarantined)
        XCTAssertEqual(explicit.outputCheck?.reason,
                       "explicit nudity is beyond what the adult category lingerie allows: FEMALE_GENITALIA_EXPOSED (score 0.71)")
        var available = ImageFilter()
        available.availableOnly = true
        XCTAssertEqual(try host.catalog().imagePage(available).images.map(\.record.imageID), [nonExplicit.imageID])
    }

    func testADetectorThatCannotAnswerQuarantinesInsteadOfPassing() async throws {
        let (_, generator, _) = try host("oc-fail-closed", answers: [])
        let image = try await generator.generateCustom(prompt: "a ceramic teapot", parameters: Self.size, category: "product")[0]
        await generator.shutdown()
        XCTAssertEqual(image.status, ImageRecord.quarantined)
        XCTAssertTrue(image.outputCheck?.reason?.contains("could not run") ?? false, "\(String(describing: image.outputCheck))")
    }

    func testTheSwitchIsCheckedAndAMissingDetectorQuarantinesInsteadOfPassing() async throws {
        let misspelt = try TestHost(label: "oc-config", config: "{ output_check: { enabeld: true } }")
        XCTAssertThrowsError(try misspelt.generator()) { error in
            XCTAssertTrue("\(error)".contains("output_check.enabeld"), "\(error)")
            XCTAssertTrue("\(error)".contains("did you mean output_check.enabled"), "\(error)")
        }
        let check = try misspelt.cli(["config", "check"])
        XCTAssertNotEqual(check.status, 0)
        XCTAssertTrue(check.stderr.contains("output_check.enabeld"), check.stderr)

        // No detector where the config points: the host opens (the detector is started only for
        // an image), and the image is held, never stored as available, with what to install.
        let missing = try TestHost(label: "oc-missing", config: #"{ output_check: { python: "/nonexistent/python3" } }"#)
        let generator = try missing.generator()
        let check2 = try XCTUnwrap(generator.composition.service.outputCheck, "output_check is on by default")
        XCTAssertEqual(check2.status.state, .notStarted)
        let image = try await generator.generateCustom(prompt: "a ceramic teapot", parameters: Self.size, category: "product")[0]
        await generator.shutdown()
        XCTAssertEqual(image.status, ImageRecord.quarantined)
        XCTAssertEqual(image.outputCheck?.rule, NudityVerdict.checkUnavailable)
        let reason = image.outputCheck?.reason ?? ""
        XCTAssertTrue(reason.contains("cannot start /nonexistent/python3") && reason.contains("scripts/install-deps.sh"), reason)
        XCTAssertEqual(check2.status.state, .unavailable)
        XCTAssertTrue(check2.status.error?.contains("/nonexistent/python3") ?? false, "\(check2.status)")
        var available = ImageFilter()
        available.availableOnly = true
        XCTAssertEqual(try missing.catalog().imagePage(available).images.count, 0)
    }

    /// A detector that hangs on an image: killed after `output_check.timeout_seconds`, that image
    /// quarantined (`output_check_unavailable`), the job done and the host still running; the
    /// next image gets a fresh detector and a real verdict.
    func testAHungDetectorHoldsItsImageAndTheNextImageIsChecked() async throws {
        let folder = TestEnvironment.temporaryDirectory("oc-hang")
        defer { try? FileManager.default.removeItem(atPath: folder) }  // try?: test scratch cleanup
        let script = folder + "/detector.sh", marker = folder + "/hung"
        try """
            echo '{"detector": "fake 1"}'
            if [ ! -e '\(marker)' ]; then touch '\(marker)'; read path; exec sleep 30; fi
            while read path; do echo "{\\"path\\": \\"$path\\", \\"detections\\": []}"; done
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let host = try TestHost(label: "oc-hang", config: "{ \(Self.attested) }")
        let generator = try host.generator()
        generator.composition.service.useOutputCheck(OutputCheck(classifier: NudeNetSidecar(script: script, python: "/bin/sh", timeout: 1)))
        let held = try await generator.generateCustom(prompt: "a ceramic teapot on a shelf", parameters: Self.size, category: "product")[0]
        let checked = try await generator.generateCustom(prompt: "a ceramic teapot on a table", parameters: Self.size, category: "product")[0]
        await generator.shutdown()
        XCTAssertEqual(held.status, ImageRecord.quarantined)
        XCTAssertEqual(held.outputCheck?.rule, NudityVerdict.checkUnavailable)
        XCTAssertTrue(held.outputCheck?.reason?.contains("did not answer within 1 s") ?? false, "\(String(describing: held.outputCheck))")
        XCTAssertEqual(checked.status, ImageRecord.completed, "\(String(describing: checked.outputCheck))")
        XCTAssertEqual(checked.outputCheck?.detector, "fake 1")
    }

    /// The product's default config (nothing about output_check) with the real detector
    /// (the `nudenet` wheel through onnxruntime, installed by scripts/install-deps.sh, which
    /// `make test` runs): nothing starts when the host opens; a generated clean image is then
    /// checked and kept with the detector's name in its record. Fails, never skips, when the
    /// detector is missing.
    func testTheRealDetectorKeepsAGeneratedCleanImage() async throws {
        let host = try TestHost(label: "oc-real", config: "{}", outputCheck: true)
        let listed = try host.cli(["models"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let generator = try host.generator()
        let check = try XCTUnwrap(generator.composition.service.outputCheck, "output_check is on by default")
        XCTAssertEqual(check.status.state, .notStarted)
        XCTAssertFalse(FileManager.default.fileExists(atPath: host.paths.data + "/classifiers"), "nothing started before an image")
        let image = try await generator.generateCustom(prompt: "a ceramic teapot on a kitchen shelf", parameters: Self.size,
                                                       category: "product")[0]
        await generator.shutdown()
        XCTAssertEqual(check.status.state, .running, "run scripts/install-deps.sh: \(check.status)")
        XCTAssertEqual(image.status, ImageRecord.completed, "\(String(describing: image.outputCheck))")
        XCTAssertEqual(image.outputCheck?.quarantined, false)
        XCTAssertTrue(image.outputCheck?.detector.hasPrefix("nudenet ") ?? false, "\(String(describing: image.outputCheck))")
        XCTAssertEqual(try host.catalog().image(image.imageID)?.outputCheck, image.outputCheck)
        XCTAssertEqual(try String(contentsOfFile: host.paths.data + "/classifiers/nudenet-detect.py", encoding: .utf8),
                       try String(contentsOfFile: TestEnvironment.repositoryRoot + "/share/classifiers/nudenet-detect.py", encoding: .utf8),
                       "the embedded script is share/classifiers/nudenet-detect.py")
    }
}
