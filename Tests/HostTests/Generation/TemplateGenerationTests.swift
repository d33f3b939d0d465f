import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import Crypto
@testable import ImagegenCore
@testable import Templates

/// Templates through the pipeline: provenance on every image, experiments fed by ratings,
/// profiles learning from ratings, version chains and reservations.
final class TemplateGenerationTests: XCTestCase {
    func testTemplateVariationsRecordTemplateVersionPlaceholdersSeedAndTags() async throws {
        let host = try TestHost(label: "tpl")
        let generator = try host.generator()
        let images = try await generator.generate(template: "product_lifestyle", variations: 4, seed: 11)
        await generator.shutdown()
        XCTAssertEqual(images.count, 4)
        let template = try XCTUnwrap(try generator.templates.library().template(named: "product_lifestyle"))
        var pairs = Set<String>()
        for i in images {
            XCTAssertEqual(i.extra["template"], "product_lifestyle")
            XCTAssertEqual(i.extra["template_version"], template.version.description)
            let placeholders = try XCTUnwrap(i.extra["placeholders"])
            let values = try JSONDecoder().decode([String: String].self, from: Data(placeholders.utf8))
            for (name, value) in values {
                XCTAssertTrue(template.placeholders[name]?.contains(value) ?? false, "\(name)=\(value)")
                XCTAssertTrue(i.prompt.contains(value), "the prompt uses the chosen value \(value)")
            }
            XCTAssertFalse(i.prompt.contains("{{"), "placeholders are expanded: \(i.prompt)")
            XCTAssertTrue(pairs.insert("\(i.prompt)|\(i.parameters.seed ?? 0)").inserted, "no two identical prompt+seed pairs")
            XCTAssertFalse(i.tags.isEmpty)
            XCTAssertEqual(i.category, "product")
        }
        // The template's version is in its history.
        let history = try host.catalog().templateHistory("product_lifestyle")
        XCTAssertEqual(history.map(\.version), [template.version.description])
    }

    func testSameBaseSeedGivesTheSameVariations() async throws {
        let host = try TestHost(label: "tpl-det")
        let generator = try host.generator()
        let a = try await generator.generate(template: "product_lifestyle", variations: 3, seed: 5)
        let b = try await generator.generate(template: "product_lifestyle", variations: 3, seed: 5)
        await generator.shutdown()
        XCTAssertEqual(a.map(\.prompt), b.map(\.prompt))
        XCTAssertEqual(a.map(\.parameters.seed), b.map(\.parameters.seed))
        XCTAssertEqual(a.map(\.contentSHA256), b.map(\.contentSHA256), "Preview is deterministic: same prompt+seed, same bytes")
    }

    func testExperimentArmsAreAssignedRecordedAndRatingsFeedTheReport() async throws {
        let host = try TestHost(label: "tpl-exp")
        let generator = try host.generator()
        let images = try await generator.generate(template: "product_packshot", variations: 4, seed: 3)
        await generator.shutdown()
        let arms = images.compactMap { $0.extra["arm"] }
        XCTAssertEqual(arms.count, 4)
        XCTAssertEqual(Dictionary(grouping: arms, by: { $0 }).mapValues(\.count), ["a": 2, "b": 2], "uniform phase: arms take turns")
        let catalog = try host.catalog()
        for i in images { try catalog.rate(imageID: i.imageID, rating: i.extra["arm"] == "a" ? 5 : 1) }
        let data = try catalog.experimentData(template: "product_packshot")
        XCTAssertEqual(data.assignments, ["a": 2, "b": 2])
        XCTAssertEqual(data.outcomes.count, 4)
        let out = try host.cli(["experiments", "show", "product_packshot", "--json"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(report["arms"] as? [[String: Any]])
        let a = try XCTUnwrap(rows.first { $0["arm"] as? String == "a" })
        let b = try XCTUnwrap(rows.first { $0["arm"] as? String == "b" })
        // Each outcome is the mean of the rating ((r-1)/4) and the automatic quality score (q/100).
        let scores = Dictionary(uniqueKeysWithValues: try images.map { ($0.imageID, try XCTUnwrap(try host.catalog().image($0.imageID)?.qualityScore)) })
        func expected(_ arm: String, rating: Double) -> Double {
            let mine = images.filter { $0.extra["arm"] == arm }
            return mine.map { (rating + scores[$0.imageID]! / 100) / 2 }.reduce(0, +) / Double(mine.count)
        }
        XCTAssertEqual(a["mean"] as? Double ?? -1, expected("a", rating: 1), accuracy: 1e-9)
        XCTAssertEqual(b["mean"] as? Double ?? -1, expected("b", rating: 0), accuracy: 1e-9)
        XCTAssertGreaterThan(a["probabilityBest"] as? Double ?? (a["probability_best"] as? Double ?? 0), 0.7)
    }

    func testPromoteRewritesTheTemplateAsANewVersion() async throws {
        let host = try TestHost(label: "tpl-promote")
        let generator = try host.generator()
        let before = try XCTUnwrap(try generator.templates.library().template(named: "product_packshot"))
        let file = try XCTUnwrap(try generator.templates.library().source(of: "product_packshot")).file
        let original = try String(contentsOfFile: file, encoding: .utf8)
        // No arm has a single scored image: promotion is refused, naming the counts and the way out.
        let refused = try host.cli(["experiments", "promote", "product_packshot", "b"])
        XCTAssertEqual(refused.status, 2, refused.stdout + refused.stderr)
        XCTAssertTrue(refused.stderr.contains("too few scored images") && refused.stderr.contains("at least 30 per arm")
                      && refused.stderr.contains("--force"), refused.stderr)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), original, "the template file is untouched")
        // --force promotes anyway.
        let out = try host.cli(["experiments", "promote", "product_packshot", "b", "--force"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let after = try XCTUnwrap(try TemplateLibrary.load(folder: generator.templates.folder).template(named: "product_packshot"))
        XCTAssertNil(after.experiment)
        XCTAssertEqual(after.prompt, before.experiment?.arm(named: "b")?.prompt)
        XCTAssertNotEqual(after.version, before.version)
        let history = try host.catalog().templateHistory("product_packshot")
        XCTAssertEqual(Set(history.map(\.version)), [before.version.description, after.version.description])
        XCTAssertTrue(history.contains { $0.reason == "promoted arm b" })
    }

    func testRegenerateMakesANewVersionAndHistoryShowsTheChain() async throws {
        let host = try TestHost(label: "versions")
        let generator = try host.generator()
        let original = try await generator.generateCustom(prompt: "a bowl", parameters: GenerationParameters(width: 64, height: 64, seed: 1))[0]
        let second = try await generator.wait(for: try await generator.regenerate(imageID: original.imageID, seed: 2))[0]
        let third = try await generator.wait(for: try await generator.regenerate(imageID: second.imageID))[0]
        await generator.shutdown()
        XCTAssertEqual(second.parentID, original.imageID)
        XCTAssertEqual(second.version, 2)
        XCTAssertEqual(third.version, 3)
        XCTAssertNotEqual(second.contentSHA256, original.contentSHA256)
        let chain = try host.catalog().versionChain(imageID: third.imageID)
        XCTAssertEqual(chain.map(\.imageID), [original.imageID, second.imageID, third.imageID])
        // The original file is untouched.
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: host.paths.data + "/" + original.filePath))
        XCTAssertEqual(SHA256Digest.of(bytes).hex, original.contentSHA256)
    }

    func testAnImageCannotBeReservedTwiceAndReservedImagesAreNotAvailable() async throws {
        let host = try TestHost(label: "reserve")
        let generator = try host.generator()
        let images = try await generator.generateCustom(prompt: "a mug", parameters: GenerationParameters(width: 64, height: 64), variations: 2)
        await generator.shutdown()
        let catalog = try host.catalog()
        let r = try catalog.reserve(imageID: images[0].imageID, channel: "instagram", day: "2026-12-01")
        XCTAssertThrowsError(try catalog.reserve(imageID: images[0].imageID, channel: "blog", day: "2026-12-02")) { e in
            guard case .alreadyReserved(_, let by)? = e as? ReservationError else { return XCTFail("\(e)") }
            XCTAssertEqual(by.id, r.id)
        }
        XCTAssertEqual(try catalog.availableImages(category: nil, tag: nil).map(\.imageID), [images[1].imageID])
        _ = try catalog.releaseReservation(imageID: images[0].imageID)
        XCTAssertEqual(Set(try catalog.availableImages(category: nil, tag: nil).map(\.imageID)), Set(images.map(\.imageID)))
        XCTAssertNoThrow(try catalog.reserve(imageID: images[0].imageID, channel: "blog", day: "2026-12-02"))
        XCTAssertThrowsError(try catalog.reserve(imageID: "img_nope", channel: "x", day: "2026-12-01"))
        XCTAssertThrowsError(try catalog.reserve(imageID: images[1].imageID, channel: "x", day: "tomorrow"))
    }

    func testRatingTeachesTheProfileThatChoseTheValues() async throws {
        let host = try TestHost(label: "profile", config: """
            { profiles: [ { name: "warm", placeholders: { lighting: { "golden hour light": 2 } } } ] }
            """)
        let generator = try host.generator()
        let images = try await generator.generate(template: "product_lifestyle", variations: 2, profile: "warm", seed: 9)
        await generator.shutdown()
        XCTAssertEqual(images[0].extra["profile"], "warm")
        let values = try JSONDecoder().decode([String: String].self, from: Data(try XCTUnwrap(images[0].extra["placeholders"]).utf8))
        let out = try host.cli(["images", "rate", images[0].imageID, "5"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let learned = try XCTUnwrap(try host.catalog().storedProfile("warm"))
        for (name, value) in values {
            let configured = name == "lighting" && value == "golden hour light" ? 2.0 : 1.0
            XCTAssertGreaterThan(learned.weight(placeholder: name, value: value), configured, "\(name)=\(value) should gain weight")
        }
    }

    func testTemplateErrorsAreReportedWithPositionAndCheckFails() throws {
        let host = try TestHost(label: "tpl-check")
        let folder = host.paths.data + "/templates"
        _ = try DefaultTemplates.installIfFirstUse(into: URL(fileURLWithPath: folder))
        try "{ category: \"broken\", templates: [ { name: \"x\", prompt: \"a {{thing}}\" ".write(toFile: folder + "/broken.json5", atomically: true, encoding: .utf8)
        let out = try host.cli(["templates", "check"])
        XCTAssertEqual(out.status, 2)
        XCTAssertTrue(out.stdout.contains("broken.json5:1:"), out.stdout)
        // The other templates still load.
        let list = try host.cli(["templates", "--json"])
        XCTAssertTrue(list.stdout.contains("product_packshot"))
    }
}
