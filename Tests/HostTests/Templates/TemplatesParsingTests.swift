import Foundation
import XCTest
@testable import Host
@testable import Templates

/// Template files: good files load with defaults applied; each kind of error is reported with the file,
/// line and column, and does not stop other templates or files from loading.
final class TemplatesParsingTests: XCTestCase {
    private func load(_ text: String, file: String = "demo.json5") -> TemplateLibrary {
        TemplateLibrary.load(texts: [file: text])
    }

    /// The only problem of a library, with its position, failing the test when there are more or fewer.
    private func onlyProblem(_ library: TemplateLibrary, file: StaticString = #filePath, line: UInt = #line) -> TemplateProblem? {
        XCTAssertEqual(library.problems.count, 1, library.problems.map(\.description).joined(separator: "\n"), file: file, line: line)
        return library.problems.first
    }

    private let good = """
    // a comment
    {
      category: 'demo', adult: false,
      description: "Demo",
      defaults: {
        negative_prompt: "blurry",
        parameters: { steps: 20 },
        placeholders: { lighting: ["soft light", "hard light"] },
      },
      templates: [
        {
          name: "demo_one",
          prompt: "a {{colour}} vase, {{ lighting }}",
          parameters: { width: 512, height: 768, guidance_scale: 5.5, },
          model: "sdxl",
          tags: ["Vase", " studio "],
          placeholders: { colour: ['red', "blue"] },
        },
        /* second */ { name: 'demo_two', prompt: 'plain prompt', negative_prompt: "", },
      ],
    }
    """

    func testGoodFileLoadsWithDefaultsApplied() throws {
        let library = load(good)
        XCTAssertEqual(library.problems, [])
        let one = try XCTUnwrap(library.template(named: "demo_one"))
        XCTAssertEqual(one.category, "demo")
        XCTAssertFalse(one.adult)
        XCTAssertEqual(one.negativePrompt, "blurry")
        XCTAssertEqual(one.parameters, TemplateParameters(width: 512, height: 768, steps: 20, guidanceScale: 5.5))
        XCTAssertEqual(one.model, "sdxl")
        XCTAssertEqual(one.tags, ["Vase", "studio"])
        XCTAssertEqual(one.placeholders, ["colour": ["red", "blue"], "lighting": ["soft light", "hard light"]])
        let two = try XCTUnwrap(library.template(named: "demo_two"))
        XCTAssertEqual(two.negativePrompt, "", "an explicit empty negative prompt wins over the default")
        XCTAssertEqual(two.parameters, TemplateParameters(width: 1024, height: 1024, steps: 20, guidanceScale: 7))
        XCTAssertEqual(two.placeholders, [:], "unused file placeholders are not part of the template")
        XCTAssertEqual(library.source(of: "demo_two"), TemplateSource(file: "demo.json5", position: SourcePosition(line: 19, column: 18), index: 1))
    }

    // MARK: Syntax errors (positions computed by the outline parser; Foundation gives none)

    func testMissingCommaIsReportedAtTheNextKey() throws {
        let text = "{\n  category: 'demo',\n  adult: false\n  templates: []\n}"
        let problem = try XCTUnwrap(onlyProblem(load(text)))
        XCTAssertEqual(problem.position, SourcePosition(line: 4, column: 3))
        guard case .syntax(let message) = problem.issue else { return XCTFail("\(problem)") }
        XCTAssertTrue(message.contains("after the value of 'adult'"), message)
        XCTAssertTrue(problem.description.hasPrefix("demo.json5:4:3: error: JSON5 syntax:"), problem.description)
    }

    func testUnterminatedStringPointsAtItsStart() throws {
        let text = "{ category: 'demo', adult: false,\n  templates: [ { name: \"x, prompt: 'y' } ] }"
        let problem = try XCTUnwrap(onlyProblem(load(text)))
        XCTAssertEqual(problem.position, SourcePosition(line: 2, column: 24))
        XCTAssertTrue(problem.issue.description.contains("unterminated string"), problem.issue.description)
    }

    func testUnclosedObjectAtEndOfFileNamesWhereItOpened() throws {
        let text = "{ category: 'demo', adult: false,\n  templates: [\n    { name: 'x', prompt: 'y' }\n  ]\n"
        let problem = try XCTUnwrap(onlyProblem(load(text)))
        XCTAssertEqual(problem.position, SourcePosition(line: 5, column: 1))
        XCTAssertTrue(problem.issue.description.contains("opened at 1:1"), problem.issue.description)
    }

    func testColumnsCountCharactersNotBytes() throws {
        // "é" is two UTF-8 bytes but one column: the stray ';' is at column 25.
        let text = "{ description: 'café', x; adult: false }"
        let problem = try XCTUnwrap(onlyProblem(load(text)))
        XCTAssertEqual(problem.position, SourcePosition(line: 1, column: 25))
    }

    func testCRLFLineEndingsCountAsOneLine() throws {
        let text = "{\r\n  category: 'demo',\r\n  adult: nope,\r\n}"
        let problem = try XCTUnwrap(onlyProblem(load(text)))
        XCTAssertEqual(problem.position, SourcePosition(line: 3, column: 10))
        XCTAssertTrue(problem.issue.description.contains("'nope'"), problem.issue.description)
    }

    func testUnterminatedCommentAndLineBreakInString() throws {
        let comment = try XCTUnwrap(onlyProblem(load("{ category: 'demo', /* never closed\n adult: false }")))
        XCTAssertEqual(comment.position, SourcePosition(line: 1, column: 21))
        let broken = try XCTUnwrap(onlyProblem(load("{ category: 'de\nmo' }")))
        XCTAssertEqual(broken.position, SourcePosition(line: 1, column: 16))
        XCTAssertTrue(broken.issue.description.contains("line break inside a string"))
    }

    func testInvalidUTF8IsReportedWithItsPosition() throws {
        var data = Data("{ category: 'demo',\n  adult: false, description: '".utf8)
        data.append(contentsOf: [0xFF, 0xFE])
        data.append(contentsOf: Array("' , templates: [] }".utf8))
        let loaded = TemplateFileLoader.load(file: "bad.json5", data: data)
        XCTAssertEqual(loaded.problems.map(\.issue), [.invalidEncoding])
        XCTAssertEqual(loaded.problems.first?.position, SourcePosition(line: 2, column: 31))
    }

    // MARK: Decoding errors (Foundation's coding path mapped to a position)

    func testMissingRequiredFieldPointsAtTheTemplate() throws {
        let text = """
        { category: 'demo', adult: false, templates: [
            { name: 'ok', prompt: 'fine' },
            { name: 'no_prompt', tags: [] },
        ] }
        """
        let library = load(text)
        let problem = try XCTUnwrap(onlyProblem(library))
        XCTAssertEqual(problem.issue, .missingField(field: "prompt", context: "template 'no_prompt'"))
        XCTAssertEqual(problem.position, SourcePosition(line: 3, column: 5))
        XCTAssertEqual(problem.template, "no_prompt")
        XCTAssertNotNil(library.template(named: "ok"), "the other template of the file still loads")
    }

    func testMissingAdultFlagFailsTheFile() throws {
        let library = load("{\n  category: 'demo',\n  templates: [ { name: 'x', prompt: 'y' } ],\n}")
        let problem = try XCTUnwrap(onlyProblem(library))
        XCTAssertEqual(problem.issue, .missingField(field: "adult", context: "the file"))
        XCTAssertEqual(problem.position, SourcePosition(line: 1, column: 1))
        XCTAssertTrue(library.templates.isEmpty)
    }

    func testWrongTypeNamesTheFieldAndWhatWasFound() throws {
        let text = "{ category: 'demo', adult: false, templates: [\n  { name: 'x', prompt: 'y',\n    parameters: { width: '512' } },\n] }"
        let problem = try XCTUnwrap(onlyProblem(load(text)))
        XCTAssertEqual(problem.issue, .wrongType(field: "templates[0].parameters.width", expected: "a whole number", found: "a string"))
        XCTAssertEqual(problem.position, SourcePosition(line: 3, column: 19))
    }

    // MARK: Semantic errors

    func testPlaceholderWithoutValuesIsReportedWhereItIsWritten() throws {
        let text = """
        { category: 'demo', adult: false, templates: [
          { name: 'x',
            prompt: 'a {{colour}} vase in {{setting}}',
            placeholders: { colour: ['red'] } },
        ] }
        """
        let problem = try XCTUnwrap(onlyProblem(load(text)))
        XCTAssertEqual(problem.issue, .undefinedPlaceholder(name: "setting", field: "prompt"))
        XCTAssertEqual(problem.position, SourcePosition(line: 3, column: 35))
        XCTAssertEqual(problem.template, "x")
    }

    func testMalformedPlaceholderAndArmPlaceholders() throws {
        let text = """
        { category: 'demo', adult: false, templates: [
          { name: 'x', prompt: 'a {{colour vase',
            placeholders: { colour: ['red'] },
            experiment: { arms: [ { name: 'a', prompt: '{{colour}}' }, { name: 'b', prompt: '{{mood}}' } ] } },
        ] }
        """
        let issues = load(text).problems.map(\.issue)
        XCTAssertEqual(issues, [
            .malformedPlaceholder(text: "{{colour vase", field: "prompt"),
            .undefinedPlaceholder(name: "mood", field: "the prompt of arm 'b'"),
        ])
        let positions = load(text).problems.map(\.position)
        XCTAssertEqual(positions, [SourcePosition(line: 2, column: 27), SourcePosition(line: 4, column: 86)])
    }

    func testDuplicateTemplateNamesAcrossFilesKeepTheFirst() throws {
        let first = "{ category: 'alpha', adult: false, templates: [ { name: 'same', prompt: 'one' } ] }"
        let second = "{ category: 'beta', adult: false, templates: [\n  { name: 'same', prompt: 'two' },\n  { name: 'other', prompt: 'three' },\n] }"
        let library = TemplateLibrary.load(texts: ["alpha.json5": first, "beta.json5": second])
        let problem = try XCTUnwrap(onlyProblem(library))
        XCTAssertEqual(problem.file, "beta.json5")
        XCTAssertEqual(problem.position, SourcePosition(line: 2, column: 3))
        XCTAssertEqual(problem.issue, .duplicateTemplateName(name: "same", firstFile: "alpha.json5", firstAt: SourcePosition(line: 1, column: 49)))
        XCTAssertEqual(library.template(named: "same")?.prompt, "one")
        XCTAssertNotNil(library.template(named: "other"))
    }

    func testDuplicateKeyIsAnError() throws {
        let text = "{ category: 'demo', adult: false, templates: [\n  { name: 'x', prompt: 'one',\n    prompt: 'two' },\n] }"
        let problem = try XCTUnwrap(onlyProblem(load(text)))
        XCTAssertEqual(problem.issue, .duplicateKey(key: "prompt", firstAt: SourcePosition(line: 2, column: 16)))
        XCTAssertEqual(problem.position, SourcePosition(line: 3, column: 5))
    }

    func testParametersOutOfRange() throws {
        let text = """
        { category: 'demo', adult: false, templates: [
          { name: 'x', prompt: 'y',
            parameters: { width: 1001, height: 8192,
                          steps: 0, guidance_scale: 31 } },
        ] }
        """
        let library = load(text)
        XCTAssertEqual(library.problems.map(\.position), [
            SourcePosition(line: 3, column: 19), SourcePosition(line: 3, column: 32),
            SourcePosition(line: 4, column: 19), SourcePosition(line: 4, column: 29),
        ])
        XCTAssertEqual(library.problems.first?.issue,
                       .outOfRange(field: "width", value: "1001", allowed: "range 64...4096 in multiples of 8"))
        XCTAssertTrue(library.templates.isEmpty)
    }

    func testExperimentNeedsTwoUniquelyNamedArms() throws {
        let text = """
        { category: 'demo', adult: false, templates: [
          { name: 'one', prompt: 'y', experiment: { arms: [ { name: 'a', prompt: 'p' } ] } },
          { name: 'two', prompt: 'y', experiment: { arms: [ { name: 'a', prompt: 'p' }, { name: 'a', prompt: 'q' } ] } },
        ] }
        """
        let library = load(text)
        XCTAssertEqual(library.problems.map(\.issue), [.tooFewArms(count: 1), .duplicateArmName(name: "a")])
        XCTAssertEqual(library.problems.map(\.position), [SourcePosition(line: 2, column: 45), SourcePosition(line: 3, column: 83)])
    }

    func testInvalidNamesAndEmptyPrompt() throws {
        let text = "{ category: 'Demo Stuff', adult: false, templates: [ { name: 'Bad Name', prompt: '  ' } ] }"
        let issues = load(text).problems.map(\.issue)
        XCTAssertTrue(issues.contains(.invalidName(kind: "category", name: "Demo Stuff")))
        XCTAssertTrue(issues.contains(.invalidName(kind: "template", name: "Bad Name")))
        XCTAssertTrue(issues.contains(.emptyPrompt(field: "prompt")))
    }

    func testWarningsDoNotStopLoading() throws {
        let text = """
        { category: 'demo', adult: false, templates: [
          { name: 'x', prompt: 'a {{colour}} vase', negativ_prompt: 'blurry',
            placeholders: { colour: ['red', 'red'], mood: ['calm'] } },
        ] }
        """
        let library = TemplateLibrary.load(texts: ["other.json5": text])
        XCTAssertFalse(library.hasErrors)
        XCTAssertNotNil(library.template(named: "x"))
        XCTAssertEqual(library.problems.map(\.issue), [
            .unknownKey(key: "negativ_prompt", context: "template 'x'", suggestion: "negative_prompt"),
            .categoryNameMismatch(category: "demo", fileName: "other.json5"),
            .duplicatePlaceholderValue(name: "colour", value: "red"),
            .unusedPlaceholder(name: "mood"),
        ])
        XCTAssertEqual(library.problems.first?.position, SourcePosition(line: 2, column: 45))
        XCTAssertTrue(library.problems.allSatisfy { $0.severity == .warning })
    }

    func testBrokenFileDoesNotStopOtherFiles() throws {
        let broken = "{ category: 'broken', adult: false, templates: [ { name: 'b' prompt: 'x' } ] }"
        let library = TemplateLibrary.load(texts: ["broken.json5": broken, "demo.json5": good])
        XCTAssertTrue(library.hasErrors)
        XCTAssertEqual(library.problems.count, 1)
        XCTAssertEqual(library.problems.first?.file, "broken.json5")
        XCTAssertEqual(library.problems.first?.position, SourcePosition(line: 1, column: 62))
        XCTAssertEqual(library.templates.map(\.name), ["demo_one", "demo_two"])
    }

    func testLoadingAFolderReadsOnlyJSON5Files() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(good.utf8).write(to: folder.appendingPathComponent("demo.json5"))
        try Data("not json".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let library = try TemplateLibrary.load(folder: folder)
        XCTAssertEqual(library.problems, [])
        XCTAssertEqual(library.source(of: "demo_one")?.file, folder.appendingPathComponent("demo.json5").path)
        XCTAssertThrowsError(try TemplateLibrary.load(folder: folder.appendingPathComponent("missing")))
    }
}
