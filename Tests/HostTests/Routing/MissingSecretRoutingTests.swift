import Foundation
import XCTest
@testable import Host
@testable import Pipeline
@testable import PluginHost

/// A provider whose required key is not set is not routed to: `route` and `health` name the
/// variable (never a value), jobs go to the next candidate, and a model left with no usable
/// candidate makes health degraded. Optional secrets (a local server's login) do not count.
final class MissingSecretRoutingTests: XCTestCase {
    private func manifest(_ id: String, secrets: [String], optional: [String] = []) -> PluginManifest {
        PluginManifest(id: id, name: id, version: "1", nsfwAllowed: true, threadSafe: true, idempotentSubmit: true,
                       secrets: secrets, models: [], optionalSecrets: optional)
    }

    func testOnlyRequiredSecretsCount() {
        let secrets = EnvironmentSecrets(environment: ["SET_KEY": "s3cr3t-value", "EMPTY_KEY": ""])
        XCTAssertNil(manifest("a", secrets: ["SET_KEY"]).missingSecret(in: secrets))
        XCTAssertEqual(manifest("b", secrets: ["SET_KEY", "EMPTY_KEY"]).missingSecret(in: secrets), "EMPTY_KEY")
        XCTAssertNil(manifest("c", secrets: [], optional: ["UNSET_LOGIN"]).missingSecret(in: secrets))
        XCTAssertEqual(Router.Verdict.missingSecret("EMPTY_KEY").description, "EMPTY_KEY is not set: export it or add it to the secrets file")
        XCTAssertFalse(Router.Verdict.missingSecret("EMPTY_KEY").isUsable)
    }

    func testRouteNamesTheMissingVariableAndNeverAValue() throws {
        let host = try TestHost(label: "route-secret", plugins: ["preview", "replicate", "a1111"])
        let missing = try host.cli(["route", "stable-diffusion-v2", "--json"], environment: ["REPLICATE_API_TOKEN": ""])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)) as? [String: Any], missing.stdout + missing.stderr)
        XCTAssertNil(json["chosen"] as? [String: Any], "no candidate without its key")
        let verdicts = (json["candidates"] as? [[String: Any]] ?? []).compactMap { $0["verdict"] as? String }
        XCTAssertEqual(verdicts, ["REPLICATE_API_TOKEN is not set: export it or add it to the secrets file"])

        let value = "r8_" + String(repeating: "x", count: 20)
        let set = try host.cli(["route", "stable-diffusion-v2", "--json"], environment: ["REPLICATE_API_TOKEN": value])
        let chosen = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(set.stdout.utf8)) as? [String: Any])["chosen"] as? [String: Any]
        XCTAssertEqual(chosen?["plugin"] as? String, "replicate")
        XCTAssertFalse((set.stdout + set.stderr + missing.stdout + missing.stderr).contains(value))

        // A1111's login is optional: a WebUI started without --api-auth is routable.
        let local = try host.cli(["route", "a1111-sd", "--json"], environment: ["A1111_API_AUTH": ""])
        let localChoice = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(local.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((localChoice["chosen"] as? [String: Any])?["plugin"] as? String, "a1111", local.stdout)
    }

    func testHealthIsDegradedWhileAModelHasNoCandidateWithItsKey() async throws {
        let host = try TestHost(label: "health-secret", plugins: ["preview", "replicate"])
        let server = try ServerProcessTests.ServeProcess(host, environment: ["REPLICATE_API_TOKEN": ""])
        try await server.waitUntilListening()
        // Until the plugin files are loaded, health says what it does not know yet.
        var report = try await server.client.get("/v1/health")
        let end = Date().addingTimeInterval(20)
        while report.json?["settling"]?.bool == true, Date() < end {
            XCTAssertEqual(report.json?["status"]?.string, "degraded", "settling is not ok: \(report.text)")
            try await Task.sleep(nanoseconds: 50_000_000)
            report = try await server.client.get("/v1/health")
        }
        XCTAssertEqual(report.json?["settling"]?.bool, false, report.text)
        XCTAssertEqual(report.json?["status"]?.string, "degraded", report.text)
        let replicate = (report.json?["candidates"]?.array ?? []).filter { $0["plugin"]?.string == "replicate" }
        XCTAssertFalse(replicate.isEmpty)
        for candidate in replicate {
            XCTAssertEqual(candidate["unusable"]?.string, "REPLICATE_API_TOKEN is not set: export it or add it to the secrets file")
        }
        let preview = (report.json?["candidates"]?.array ?? []).first { $0["plugin"]?.string == "preview" }
        XCTAssertNil(preview?["unusable"]?.string)
        server.process.interrupt()
        _ = await server.waitForExit()

        let keyed = try ServerProcessTests.ServeProcess(host, environment: ["REPLICATE_API_TOKEN": "r8_" + String(repeating: "y", count: 20)])
        try await keyed.waitUntilListening()
        var healthy = try await keyed.client.get("/v1/health")
        let deadline = Date().addingTimeInterval(20)
        while healthy.json?["settling"]?.bool == true, Date() < deadline {
            try await Task.sleep(nanoseconds: 50_000_000)
            healthy = try await keyed.client.get("/v1/health")
        }
        XCTAssertEqual(healthy.json?["status"]?.string, "ok", healthy.text)
        keyed.process.interrupt()
        _ = await keyed.waitForExit()
    }
}
