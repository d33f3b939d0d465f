import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import ImagegenConfig
@testable import Templates

/// Issue 16 item 4: `imagegen config check [--json]` validates config, templates, plans and routing together.
final class ConfigCheckCommandTests: XCTestCase {
    func testACleanHostPassesAndPrintsTheEffectiveConfig() throws {
        let host = try TestHost(label: "config-check-ok", config: "{ budgets: { daily: 5 } }")
        _ = try DefaultTemplates.installIfFirstUse(into: URL(fileURLWithPath: host.paths.data + "/templates"))
        let out = try host.cli(["config", "check", "--json"])
        XCTAssertEqual(out.status, 0, out.stdout + out.stderr)
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(out.stdout.utf8))
        XCTAssertEqual(report["ok"]?.bool, true, out.stdout)
        XCTAssertEqual(report["effective"]?["budgets"]?["daily"]?.number, 5)
        XCTAssertEqual(report["effective"]?["defaults"]?["model"]?.string, "preview", "defaults are filled in")
    }

    func testAProviderSectionNoPluginReportsIsAnError() throws {
        let host = try TestHost(label: "config-check-provider", config: "{ providers: { previw: {} } }")
        let out = try host.cli(["config", "check"])
        XCTAssertEqual(out.status, 2, out.stdout + out.stderr)
        XCTAssertTrue(out.stdout.contains("error: providers.previw: no loaded plugin has the id \"previw\""), out.stdout)
        XCTAssertTrue(out.stdout.contains("did you mean providers.preview?"), out.stdout)
    }

    func testAMisspeltKeyIsExit2() throws {
        let host = try TestHost(label: "config-check-key", config: "{ budgets: { dialy: 0.01 } }")
        let out = try host.cli(["config", "check"])
        XCTAssertEqual(out.status, 2, out.stdout + out.stderr)
        XCTAssertTrue(out.stderr.contains("did you mean budgets.daily?"), out.stderr)
    }

    func testAKeyGivenTwiceIsRefusedWithBothLines() throws {
        let host = try TestHost(label: "config-check-dup", config: "{\n  imaging: { parallelEncoding: true },\n  budgets: {},\n  imaging: { parallelEncoding: false },\n}")
        let out = try host.cli(["config", "check"])
        XCTAssertEqual(out.status, 2, out.stdout + out.stderr)
        XCTAssertTrue(out.stderr.contains("config.json5:4:3: not valid JSON5: the key \"imaging\" is given twice in the same object (first at line 2)"),
                      out.stderr)
    }

    func testSecretLookingValuesAreMasked() {
        let masked = Configuration.masked(.object(["storage": .object(["s3": .object(["session_token": .string("abc123"),
                                                                                       "bucket": .string("b")])])]))
        XCTAssertEqual(masked["storage"]?["s3"]?["session_token"]?.string, "***")
        XCTAssertEqual(masked["storage"]?["s3"]?["bucket"]?.string, "b")
    }
}
