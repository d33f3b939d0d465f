import Foundation
import XCTest
@testable import Catalog
@testable import Host
@testable import ImagegenCore
@testable import Operations
@testable import Pipeline
@testable import Security
import ImagegenTestSupport

/// Releasing what the output check held back: a reviewer releases a quarantined image with a
/// reason (`imagegen images release ID --reason R`), audited with who and why; it becomes
/// available and goes to the storing observers like a new image. Explicit nudity is a hard line
/// and is never released; it can still be rejected. The API route: ServerOutputCheckTests.
final class QuarantineReleaseTests: XCTestCase {
    private static let size = GenerationParameters(width: 256, height: 256, seed: 3)

    private func finding(_ label: String, _ score: Double) -> NudityFinding { NudityFinding(label: label, score: score, box: [1, 2, 3, 4]) }

    func testAReviewerReleasesAQuarantinedImageWithAReasonAndItIsAudited() async throws {
        let host = try TestHost(label: "release")
        let generator = try host.generator()
        generator.composition.service.useOutputCheck(OutputCheck(classifier: RecordedNudityClassifier(answers: [
            [finding("BUTTOCKS_EXPOSED", 0.52)], [finding("MALE_GENITALIA_EXPOSED", 0.8)],
        ])))
        let falsePositive = try await generator.generateCustom(prompt: "a peach on a plate", parameters: Self.size, category: "product")[0]
        let explicit = try await generator.generateCustom(prompt: "a pear on a plate", parameters: Self.size, category: "product")[0]
        await generator.shutdown()
        XCTAssertEqual(falsePositive.status, ImageRecord.quarantined)
        XCTAssertEqual(falsePositive.outputCheck?.rule, NudityVerdict.exposedNudity)
        XCTAssertEqual(explicit.outputCheck?.rule, NudityVerdict.explicitNudity)

        let noReason = try host.cli(["images", "release", falsePositive.imageID])
        XCTAssertEqual(noReason.status, 2)
        XCTAssertTrue(noReason.stderr.contains("--reason"), noReason.stderr)
        let released = try host.cli(["images", "release", falsePositive.imageID, "--reason", "a peach, not a body", "--json"])
        XCTAssertEqual(released.status, 0, released.stderr)
        let catalog = try host.catalog()
        let record = try XCTUnwrap(try catalog.image(falsePositive.imageID))
        XCTAssertEqual(record.status, ImageRecord.completed)
        XCTAssertEqual(record.outputCheck, falsePositive.outputCheck, "the verdict stays in the record")
        XCTAssertEqual(ContentStore(dataDirectory: host.paths.data).readSidecar(relativeImagePath: record.filePath)?.status,
                       ImageRecord.completed)
        var available = ImageFilter()
        available.availableOnly = true
        XCTAssertEqual(try catalog.imagePage(available).images.map(\.record.imageID), [falsePositive.imageID])
        // Publishable now: the uploads' reconciliation takes it (a quarantined image it never does).
        _ = try UploadQueue(catalog: catalog)  // its tables
        XCTAssertTrue(try catalog.imagesWithoutUpload().contains { $0.imageID == falsePositive.imageID })
        XCTAssertFalse(try catalog.imagesWithoutUpload().contains { $0.imageID == explicit.imageID })

        // Once: a second release finds it completed.
        let again = try host.cli(["images", "release", falsePositive.imageID, "--reason", "again"])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.contains("is completed, not quarantined"), again.stderr)

        // A hard line is never released, and stays quarantined; rejecting it still works.
        let refused = try host.cli(["images", "release", explicit.imageID, "--reason", "looks fine to me"])
        XCTAssertEqual(refused.status, 5, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("cannot be released") && refused.stderr.contains("MALE_GENITALIA_EXPOSED")
                      && refused.stderr.contains("images reject"), refused.stderr)
        XCTAssertEqual(try catalog.image(explicit.imageID)?.status, ImageRecord.quarantined)
        let rejected = try host.cli(["images", "reject", explicit.imageID, "--reason", "explicit"])
        XCTAssertEqual(rejected.status, 0, rejected.stderr)

        let entries = try host.auditEntries()
        let release = try XCTUnwrap(entries.first { $0.action == .quarantineRelease })
        XCTAssertEqual(release.subject, falsePositive.imageID)
        XCTAssertEqual(release.details["reason"], "a peach, not a body")
        XCTAssertEqual(release.details["rule"], NudityVerdict.exposedNudity)
        XCTAssertTrue(release.details["verdict"]?.contains("BUTTOCKS_EXPOSED") ?? false, "\(release.details)")
        XCTAssertFalse(release.principal.isEmpty)
        XCTAssertEqual(entries.filter { $0.action == .quarantineRelease }.count, 1, "refusals change nothing and are not releases")
    }

    func testAnImageHeldBecauseTheCheckCouldNotRunCanBeReleasedAfterALook() async throws {
        let host = try TestHost(label: "release-unchecked")
        let generator = try host.generator()
        generator.composition.service.useOutputCheck(OutputCheck(classifier: RecordedNudityClassifier(answers: [])))
        let held = try await generator.generateCustom(prompt: "a teapot", parameters: Self.size, category: "product")[0]
        XCTAssertEqual(held.outputCheck?.rule, NudityVerdict.checkUnavailable)
        XCTAssertThrowsError(try generator.composition.service.releaseQuarantine(imageID: held.imageID, reason: "  ")) { error in
            XCTAssertEqual(error as? QuarantineReleaseError, .missingReason)
        }
        XCTAssertThrowsError(try generator.composition.service.releaseQuarantine(imageID: "img_nope", reason: "r")) { error in
            XCTAssertEqual(error as? QuarantineReleaseError, .unknownImage("img_nope"))
        }
        let released = try generator.composition.service.releaseQuarantine(imageID: held.imageID, reason: "checked by eye: a teapot")
        await generator.shutdown()
        XCTAssertEqual(released.status, ImageRecord.completed)
        XCTAssertEqual(try host.catalog().image(held.imageID)?.status, ImageRecord.completed)
    }
}
