import Foundation
import XCTest
@testable import Host
@testable import Templates
@testable import Imaging

/// Every image is tagged from its prompt (not only template images), in English or French, and a
/// tag filter finds images through the same normalisation (a synonym or a plural finds the tag).
final class PromptTaggingEndToEndTests: XCTestCase {
    func testFrenchPromptsTagWithTheCanonicalTerms() {
        let tagger = AutoTagger.standard
        XCTAssertEqual(tagger.tags(for: "nuisette en dentelle noire, assise sur le lit, lumière naturelle, gros plan",
                                   category: "lingerie", templateTags: []),
                       ["negligee", "lace", "black", "sitting", "natural light", "close-up"])
        XCTAssertEqual(tagger.tags(for: "une tasse en céramique bleue sur un plan de travail en marbre", category: "product",
                                   templateTags: []),
                       ["mug", "ceramic", "blue", "countertop", "marble"])
        // English words that look French are not mistaken: "softly lit" is no bed.
        XCTAssertEqual(tagger.tags(for: "a softly lit wicker basket", category: "product", templateTags: []), [])
        XCTAssertEqual(AutoTagger.filterTag("Dentelles"), "lace")
        XCTAssertEqual(AutoTagger.filterTag("Crimson"), "red")
        XCTAssertEqual(AutoTagger.filterTag("Unheard-Of Tags"), "unheard of tag")
    }

    func testAPlainPromptIsTaggedAndFoundBySynonymWithTheCompletedStatus() throws {
        let host = try TestHost(label: "prompt-tags", config: #"{ attestation: { attested_by: "Test Operator", attested_at: "2026-01-01" } }"#)
        let red = try host.cli(["generate", "--prompt", "a crimson satin robe in soft window light", "--category", "lingerie",
                                "--tag", "Spring Drop", "--width", "64", "--height", "64", "--json"])
        XCTAssertEqual(red.status, 0, red.stderr)
        let french = try host.cli(["generate", "--prompt", "un peignoir en soie ivoire, lumière du matin", "--category", "lingerie",
                                   "--width", "64", "--height", "64", "--json"])
        XCTAssertEqual(french.status, 0, french.stderr)

        let listed = try host.cli(["images", "--json"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let images = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]], listed.stdout)
        XCTAssertEqual(images.count, 2)
        for image in images {
            XCTAssertEqual(image["status"] as? String, "completed")
        }
        let tagsByPrompt = Dictionary(uniqueKeysWithValues: images.map { ($0["prompt"] as? String ?? "", $0["tags"] as? [String] ?? []) })
        // The prompt's tags first, then the colours measured on the image (Preview paints its own).
        let palette = Set(DominantColours.palette.map(\.name))
        for (prompt, expected) in [("a crimson satin robe in soft window light", ["spring drop", "red", "satin", "robe", "window light"]),
                                   ("un peignoir en soie ivoire, lumière du matin", ["robe", "silk", "ivory", "morning light"])] {
            let tags = try XCTUnwrap(tagsByPrompt[prompt])
            XCTAssertEqual(Array(tags.prefix(expected.count)), expected, prompt)
            let measured = tags.dropFirst(expected.count)
            XCTAssertFalse(measured.isEmpty, "\(prompt): no colour measured")
            XCTAssertTrue(measured.allSatisfy(palette.contains), "\(prompt): \(measured)")
        }

        // The sidecar (the product's record) says completed too.
        let path = try XCTUnwrap(images.first?["file_path"] as? String)
        let sidecar = host.paths.data + "/" + (path as NSString).deletingPathExtension + ".json"
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sidecar))) as? [String: Any])
        XCTAssertEqual(record["status"] as? String, "completed")

        for (filter, expected) in [("Scarlet", 1), ("robes", 2), ("soie", 1), ("silk", 1), ("velvet", 0)] {
            let found = try host.cli(["images", "--tag", filter, "--json"])
            XCTAssertEqual(found.status, 0, found.stderr)
            let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [[String: Any]], found.stdout)
            XCTAssertEqual(list.count, expected, "--tag \(filter)")
        }
    }
}
