import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import PluginHost

/// Issue 16 item 5: the README once set `base_url: "https://api.replicate.com"` (no `/v1`) and every
/// request was a 404; the plugin now accepts the root with or without the version.
final class ReplicateBaseURLTests: ProviderTestCase {
    override func setUpWithError() throws {
        try startEmulator("replicate", token: ReplicateProviderTests.token)
    }

    private func createPath(baseURL: String) throws -> String? {
        let p = try harness("replicate", config: ["base_url": .string(baseURL)],
                            secrets: ["REPLICATE_API_TOKEN": ReplicateProviderTests.token])
        let submitted = try p.submit(ProviderHarness.request(model: ReplicateProviderTests.flux)).get()
        XCTAssertEqual(try p.pollUntilDone(submitted)["state"]?.string, "succeeded")
        return try emulator.requests(kind: "create").last?["path"]?.string
    }

    func testABaseURLWithoutV1StillReachesTheAPI() throws {
        XCTAssertEqual(try createPath(baseURL: emulator.baseURL), "/v1/models/black-forest-labs/flux-schnell/predictions")
    }

    func testABaseURLWithV1AndATrailingSlashIsTheSame() throws {
        XCTAssertEqual(try createPath(baseURL: emulator.baseURL + "/v1/"), "/v1/models/black-forest-labs/flux-schnell/predictions")
    }
}
