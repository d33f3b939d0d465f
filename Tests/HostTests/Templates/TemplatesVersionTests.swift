import Foundation
import XCTest
@testable import Host
@testable import Templates

/// Template versions: a content hash of the template's canonical JSON, so edits that change what is
/// generated give a new version, and reformatting or commenting a file does not.
final class TemplatesVersionTests: XCTestCase {
    private let file = """
    {
      category: "demo", adult: false,
      defaults: { parameters: { steps: 20 } },
      templates: [ { name: "vase", prompt: "a {{colour}} vase", placeholders: { colour: ["red", "blue"] } } ],
    }
    """

    private func version(_ text: String) throws -> TemplateVersion {
        try XCTUnwrap(TemplateLibrary.load(texts: ["demo.json5": text]).template(named: "vase")?.version)
    }

    func testVersionIsTheSHA256PrefixOfTheCanonicalJSON() throws {
        let template = PromptTemplate(name: "t", category: "c", adult: false, prompt: "p")
        let canonical = String(decoding: template.canonicalJSON, as: UTF8.self)
        XCTAssertEqual(canonical, #"{"adult":false,"category":"c","name":"t","negative_prompt":"","parameters":{"guidance_scale":7,"height":1024,"steps":30,"width":1024},"placeholders":{},"prompt":"p","tags":[]}"#)
        // printf '%s' "$canonical" | sha256sum  →  8f02baf211d3…
        XCTAssertEqual(template.version.hex, "8f02baf211d3")
        XCTAssertEqual(template.version.hex.count, 12)
    }

    func testFormattingAndCommentsDoNotChangeTheVersion() throws {
        let reformatted = "// a note\n" + file.replacingOccurrences(of: "\n", with: "\n\n  ").replacingOccurrences(of: "\"", with: "'")
        XCTAssertEqual(try version(file), try version(reformatted))
    }

    func testEditsThatChangeGenerationChangeTheVersion() throws {
        let original = try version(file)
        let edits = [
            file.replacingOccurrences(of: "a {{colour}} vase", with: "a {{colour}} jug"),
            file.replacingOccurrences(of: "steps: 20", with: "steps: 21"),
            file.replacingOccurrences(of: "\"blue\"]", with: "\"blue\", \"green\"]"),
            file.replacingOccurrences(of: "adult: false", with: "adult: true"),
        ]
        for edit in edits {
            XCTAssertNotEqual(try version(edit), original, edit)
        }
    }

    func testLibraryReportsVersionChangesAgainstKnownVersions() throws {
        let before = TemplateLibrary.load(texts: ["demo.json5": file])
        let known = before.versions
        let edited = file.replacingOccurrences(of: "a {{colour}} vase", with: "a {{colour}} jug")
            .replacingOccurrences(of: "templates: [", with: "templates: [ { name: 'bowl', prompt: 'a bowl' },")
        let after = TemplateLibrary.load(texts: ["demo.json5": edited])
        let vase = try XCTUnwrap(after.template(named: "vase"))
        let bowl = try XCTUnwrap(after.template(named: "bowl"))
        XCTAssertEqual(after.versionChanges(since: known), [
            .added(name: "bowl", version: bowl.version),
            .changed(name: "vase", from: try XCTUnwrap(known["vase"]), to: vase.version),
        ])
        XCTAssertEqual(after.versionChanges(since: after.versions), [])
        let gone = TemplateLibrary.load(texts: ["demo.json5": "{ category: 'demo', adult: false, templates: [] }"])
        XCTAssertEqual(gone.versionChanges(since: known), [.removed(name: "vase", lastVersion: try XCTUnwrap(known["vase"]))])
    }

    func testStoredVersionStringsAreValidated() throws {
        XCTAssertNotNil(TemplateVersion(hex: "0123456789ab"))
        XCTAssertNil(TemplateVersion(hex: "0123456789AB"))
        XCTAssertNil(TemplateVersion(hex: "0123"))
        XCTAssertThrowsError(try JSONDecoder().decode(TemplateVersion.self, from: Data("\"zz\"".utf8)))
    }
}
