import Foundation
import XCTest
@testable import Host
@testable import ImagegenConfig

/// Issue 16 item 4: a `providers.<id>` section no loaded plugin reports is named at start.
final class ProviderSectionWarningTests: XCTestCase {
    func testAProviderSectionForAnUnloadedIDIsNamedWithTheLoadedIDs() throws {
        let host = try TestHost(label: "provider-section", config: "{ providers: { preveiw: { priority: 1 }, preview: {} } }")
        _ = try host.generator()
        let warning = host.lines.lines.first { $0.contains("providers.preveiw") }
        XCTAssertNotNil(warning, "\(host.lines.lines)")
        XCTAssertTrue(warning?.contains("did you mean providers.preview?") == true, warning ?? "")
        XCTAssertTrue(warning?.contains("Loaded plugin ids: preview.") == true, warning ?? "")
        XCTAssertFalse(host.lines.lines.contains { $0.contains("providers.preview:") }, "a loaded id is not warned about")
    }

    func testAPrefixOfALoadedIDIsSuggested() {
        let problems = ProviderSectionCheck.problems(configured: ["stability", "replicate"], loaded: ["stabilityai", "replicate"])
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems.first?.contains("did you mean providers.stabilityai?") == true, "\(problems)")
    }
}
