import Foundation
import XCTest
@testable import ImagegenConfig

/// Issue 16 item 4: a misspelt or out-of-range key anywhere in the config is refused at load,
/// with the full key path and a did-you-mean; syntax errors carry a line and column.
final class ConfigWholeCheckTests: XCTestCase {
    private func refusal(_ text: String) -> String {
        do {
            _ = try Configuration.parse(Data(text.utf8), file: "c.json5")
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    func testAMisspeltBudgetIsRefusedWithDidYouMean() {
        let message = refusal("{ budgets: { dialy: 0.01 } }")
        XCTAssertTrue(message.contains("unknown key \"budgets.dialy\" → did you mean budgets.daily?"), message)
    }

    func testMisspeltKeysAtEveryDepthAreRefused() {
        XCTAssertTrue(refusal("{ defaults: { modle: \"preview\" } }").contains("defaults.modle\" → did you mean defaults.model?"))
        XCTAssertTrue(refusal("{ defaults: { widht: 64 } }").contains("did you mean defaults.width?"))
        XCTAssertTrue(refusal("{ budgets: { categories: { feet: { montly: 3 } } } }")
            .contains("budgets.categories.feet.montly\" → did you mean budgets.categories.feet.monthly?"))
        XCTAssertTrue(refusal("{ models: { sdxl: { candidates: [ { plugin: \"x\", provider_modle: \"y\" } ] } } }")
            .contains("models.sdxl.candidates[0].provider_modle"))
        XCTAssertTrue(refusal("{ jobs: { concurency: 2 } }").contains("did you mean jobs.concurrency?"))
        XCTAssertTrue(refusal("{ budget: { daily: 1 } }").contains("did you mean budgets?"))
    }

    func testRangesAreChecked() {
        XCTAssertTrue(refusal("{ budgets: { daily: -1 } }").contains("budgets.daily"))
        XCTAssertTrue(refusal("{ defaults: { width: 0 } }").contains("defaults.width"))
        XCTAssertTrue(refusal("{ jobs: { poll_interval_ms: 0 } }").contains("jobs.poll_interval_ms"))
        XCTAssertTrue(refusal("{ defaults: { width: \"wide\" } }").contains("defaults.width"))
        XCTAssertTrue(refusal("{ output_check: { processes: 17 } }").contains("output_check.processes"))
        XCTAssertTrue(refusal("{ output_check: { proceses: 2 } }").contains("did you mean output_check.processes?"))
        XCTAssertEqual(refusal("{ output_check: { processes: 2 } }"), "accepted")
        XCTAssertEqual(refusal("{ budgets: { daily: 0.01, categories: { feet: { monthly: 3 } } }, defaults: { width: 64 } }"), "accepted")
    }

    func testAMissingCommaNamesTheLineAndColumn() {
        let message = refusal("{\n  budgets: { daily: 1 }\n  jobs: { concurrency: 2 }\n}\n")
        XCTAssertTrue(message.contains("c.json5:3:3"), message)
        XCTAssertTrue(message.contains("is a comma missing?"), message)
    }
}
