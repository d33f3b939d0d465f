import Foundation
import XCTest
@testable import Host
@testable import Templates

/// The shipped default set: loads without any problem, has the product's categories and templates,
/// states adult subjects, and is installed without overwriting user files.
final class TemplatesDefaultSetTests: XCTestCase {
    func testDefaultSetLoadsWithoutProblems() {
        let library = TemplateLibrary.load(texts: DefaultTemplates.files)
        XCTAssertEqual(library.problems, [], library.problems.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(library.categories.map(\.name), ["artistic_nude", "feet", "lingerie", "product"])
        XCTAssertEqual(Set(library.templates.map(\.name)),
                       ["lingerie_black_lace", "lingerie_red_satin", "feet_closeup", "artistic_nude",
                        "product_packshot", "product_lifestyle"])
    }

    func testAdultCategoriesAreFlaggedAndStateAdultSubjects() throws {
        let library = TemplateLibrary.load(texts: DefaultTemplates.files)
        for name in ["lingerie", "feet", "artistic_nude"] {
            XCTAssertEqual(library.category(named: name)?.adult, true, name)
        }
        XCTAssertEqual(library.category(named: "product")?.adult, false)
        for template in library.templates where template.adult {
            XCTAssertTrue(template.prompt.contains("adult woman"), template.name)
            XCTAssertNotNil(template.prompt.range(of: #"\d\d years old"#, options: .regularExpression), template.name)
            XCTAssertTrue(template.negativePrompt.contains("minor"), template.name)
        }
    }

    func testDefaultTemplatesHaveRealPlaceholders() throws {
        let library = TemplateLibrary.load(texts: DefaultTemplates.files)
        for template in library.templates {
            XCTAssertFalse(template.placeholders.isEmpty, template.name)
            for (name, values) in template.placeholders {
                XCTAssertTrue((3...6).contains(values.count), "\(template.name).\(name) has \(values.count) values")
            }
        }
        let lace = try XCTUnwrap(library.template(named: "lingerie_black_lace"))
        XCTAssertEqual(lace.referencedPlaceholders, ["lighting", "outfit", "pose", "setting"])
        XCTAssertEqual(lace.parameters, TemplateParameters(width: 832, height: 1216, steps: 30, guidanceScale: 7))
        let packshot = try XCTUnwrap(library.template(named: "product_packshot"))
        XCTAssertEqual(packshot.experiment?.armNames, ["a", "b"])
    }

    func testInstallWritesOnFirstUseOnlyAndNeverOverwrites() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = try DefaultTemplates.installIfFirstUse(into: folder)
        XCTAssertEqual(written.map(\.lastPathComponent).sorted(), DefaultTemplates.files.keys.sorted())

        let userFile = folder.appendingPathComponent("lingerie.json5")
        try Data("{ category: 'lingerie', adult: true, templates: [] }".utf8).write(to: userFile)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("feet.json5"))
        XCTAssertEqual(try DefaultTemplates.installIfFirstUse(into: folder), [], "an existing folder is left alone")

        let restored = try DefaultTemplates.install(into: folder)
        XCTAssertEqual(restored.map(\.lastPathComponent), ["feet.json5"])
        XCTAssertEqual(try String(contentsOf: userFile, encoding: .utf8), "{ category: 'lingerie', adult: true, templates: [] }")

        let library = try TemplateLibrary.load(folder: folder)
        XCTAssertNil(library.template(named: "lingerie_black_lace"))
        XCTAssertNotNil(library.template(named: "feet_closeup"))
        XCTAssertFalse(library.hasErrors)
    }
}
