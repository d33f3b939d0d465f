import XCTest
@testable import Host
@testable import Templates

/// Promote: the winning arm becomes the template's prompt as a new version; the file is edited in place,
/// keeping comments and other templates, and the edit is verified by loading it again.
final class ExperimentsPromotionTests: XCTestCase {
    private let promoter = ExperimentPromoter()

    private let file = """
    // Demo experiments
    {
      category: "demo", adult: false,
      defaults: { negative_prompt: "blurry" },
      templates: [
        {
          name: "vase",
          prompt: "a {{colour}} vase", // the control
          placeholders: {
            colour: ["red", "blue"],
            mood: ["calm", "busy"],
          },
          // Does a mood help?
          experiment: {
            arms: [
              { name: "control", prompt: "a {{colour}} vase" },
              { name: "moody", prompt: "a {{colour}} vase, {{mood}} scene", negative_prompt: "dull, blurry" },
              { name: "plain", prompt: "a vase on a table" },
            ],
          },
        },
        { name: "other", prompt: "a cup" },
      ],
    }
    """

    private func loaded(_ text: String) throws -> (TemplateLibrary, PromptTemplate) {
        let library = TemplateLibrary.load(texts: ["demo.json5": text])
        XCTAssertFalse(library.hasErrors, library.problems.map(\.description).joined(separator: "\n"))
        return (library, try XCTUnwrap(library.template(named: "vase")))
    }

    func testPromoteMakesTheArmThePromptAsANewVersion() throws {
        let (_, vase) = try loaded(file)
        let promotion = try promoter.promote(vase, arm: "moody")
        XCTAssertEqual(promotion.template.prompt, "a {{colour}} vase, {{mood}} scene")
        XCTAssertEqual(promotion.template.negativePrompt, "dull, blurry")
        XCTAssertNil(promotion.template.experiment)
        XCTAssertEqual(promotion.previousVersion, vase.version)
        XCTAssertNotEqual(promotion.newVersion, vase.version)
        XCTAssertNil(promotion.fileText)
    }

    func testPromoteEditsTheFileInPlace() throws {
        let (before, vase) = try loaded(file)
        let promotion = try promoter.promote(vase, arm: "moody", fileText: file, file: "demo.json5")
        let text = try XCTUnwrap(promotion.fileText)
        let (after, reloaded) = try loaded(text)
        XCTAssertEqual(reloaded, promotion.template)
        XCTAssertEqual(reloaded.version, promotion.newVersion)
        XCTAssertEqual(after.template(named: "other"), before.template(named: "other"))
        XCTAssertTrue(text.hasPrefix("// Demo experiments\n{"), "comments before the template are kept")
        XCTAssertTrue(text.contains("// the control"), "a trailing comment on the prompt line is kept")
        XCTAssertFalse(text.contains("experiment:"))
        XCTAssertFalse(text.contains("Does a mood help?"), "the comment documenting the experiment goes with it")
        XCTAssertTrue(text.contains("      negative_prompt: \"dull, blurry\","), text)
        XCTAssertEqual(after.problems, [], "no warnings are left behind")
    }

    func testPromotingAnArmThatDropsPlaceholdersRemovesThem() throws {
        let (_, vase) = try loaded(file)
        let promotion = try promoter.promote(vase, arm: "plain", fileText: file, file: "demo.json5")
        XCTAssertEqual(promotion.template.placeholders, [:])
        let text = try XCTUnwrap(promotion.fileText)
        XCTAssertFalse(text.contains("colour: ["))
        XCTAssertFalse(text.contains("mood: ["))
        let (after, reloaded) = try loaded(text)
        XCTAssertEqual(reloaded.prompt, "a vase on a table")
        XCTAssertEqual(reloaded.negativePrompt, "blurry", "the arm has no negative prompt: the default stays")
        XCTAssertEqual(after.problems, [])
    }

    func testPromotingTheDefaultPackshotExperiment() throws {
        let text = try XCTUnwrap(DefaultTemplates.files["product.json5"])
        let library = TemplateLibrary.load(texts: ["product.json5": text])
        let packshot = try XCTUnwrap(library.template(named: "product_packshot"))
        let promotion = try promoter.promote(packshot, arm: "b", fileText: text, file: "product.json5")
        let edited = TemplateLibrary.load(texts: ["product.json5": try XCTUnwrap(promotion.fileText)])
        XCTAssertEqual(edited.problems, [])
        XCTAssertEqual(edited.template(named: "product_packshot"), promotion.template)
        XCTAssertEqual(edited.template(named: "product_lifestyle"), library.template(named: "product_lifestyle"))
    }

    func testPromoteRefusesUnknownArmsAndNonExperiments() throws {
        let (library, vase) = try loaded(file)
        XCTAssertThrowsError(try promoter.promote(vase, arm: "nope")) { error in
            XCTAssertEqual(error as? ExperimentError, .unknownArm(template: "vase", arm: "nope", known: ["control", "moody", "plain"]))
        }
        let other = try XCTUnwrap(library.template(named: "other"))
        XCTAssertThrowsError(try promoter.promote(other, arm: "a")) { error in
            XCTAssertEqual(error as? ExperimentError, .notAnExperiment(template: "other"))
        }
        XCTAssertThrowsError(try promoter.promote(vase, arm: "moody", fileText: "{ broken", file: "demo.json5")) { error in
            guard case .edit(.unparsable)? = error as? ExperimentError else { return XCTFail("\(error)") }
        }
        let renamed = file.replacingOccurrences(of: "name: \"vase\"", with: "name: \"jug\"")
        XCTAssertThrowsError(try promoter.promote(vase, arm: "moody", fileText: renamed, file: "demo.json5")) { error in
            XCTAssertEqual(error as? ExperimentError, .edit(.templateNotFound(file: "demo.json5", template: "vase")))
        }
    }
}
