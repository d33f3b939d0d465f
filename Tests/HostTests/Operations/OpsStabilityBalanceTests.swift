import Foundation
import XCTest
@testable import Host
@testable import ImagegenTestSupport
@testable import PluginHost

/// The quota alert's balance comes from the Stability AI plugin's `imagegen.balance/1` extension,
/// here against the Stability emulator (42.5 credits).
final class OpsStabilityBalanceTests: ProviderTestCase {
    static let token = "test-token-stability"

    override func setUpWithError() throws {
        try startEmulator("stability", token: Self.token)
    }

    private func config(threshold: Int) -> String {
        """
        providers: { stabilityai: { base_url: "\(emulator.baseURL)" } },
        alerts: { provider_quota: { balance_thresholds: { stabilityai: \(threshold) } } }
        """
    }

    func testTheStabilityBalanceFiresTheQuotaAlertAndAnotherThresholdClearsIt() async throws {
        let host = try OpsHost(label: "balance-stability", plugins: ["preview", "stabilityai"], config: config(threshold: 100))
        let secrets = EnvironmentSecrets(environment: ["STABILITY_API_KEY": Self.token])
        let clock = ManualWallClock(Date())
        var loop = try host.phase(secrets: secrets).loop(clock: clock)
        var pass = opsDescribe(await loop.evaluate())
        XCTAssertEqual(pass, ["fired ProviderQuota/stabilityai:balance"])
        let alert = try XCTUnwrap(try loop.alertStore.activeAlerts().first)
        XCTAssertTrue(alert.message.contains("42.50 credits, below 100.00"), alert.message)
        pass = opsDescribe(await loop.evaluate())
        XCTAssertEqual(pass, [])
        XCTAssertEqual(try emulator.requests(kind: "balance").count, 1, "the balance is read at most every 5 minutes")

        try host.configure(config(threshold: 40))
        loop = try host.phase(secrets: secrets).loop(clock: clock)
        pass = opsDescribe(await loop.evaluate())
        XCTAssertEqual(pass, ["resolved ProviderQuota/stabilityai:balance"])
        XCTAssertFalse(host.host.lines.lines.joined().contains(Self.token), "the key never reaches the log")
    }
}
