import Foundation
import XCTest
@testable import Host
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Pipeline
@testable import PluginHost
@testable import Security

/// The security services as the host builds them from its config and environment.
final class SecurityHostServicesTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = TestEnvironment.temporaryDirectory("sec-services")
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func open(_ config: String, environment: [String: String] = [:]) throws -> (HostSecurity, LineCollector, Log) {
        try config.write(toFile: folder + "/config.json5", atomically: true, encoding: .utf8)
        let paths = HostPaths(config: folder + "/config.json5", plugins: folder + "/plugins", data: folder + "/data", environment: [:])
        let (log, lines) = TestEnvironment.capturingLog()
        let security = try HostSecurity.open(paths: paths, configuration: try Configuration.load(path: paths.config), log: log,
                                             environment: environment)
        return (security, lines, log)
    }

    func testSecretsFileAndEnvironmentFeedPluginsAndTheRedaction() throws {
        try SecurityFixtures.writeOwnerOnly(folder + "/secrets.env", "STABILITY_API_KEY=sk-fromthefile-123456\n")
        let master = SecurityFixtures.freshKey()
        let (security, lines, log) = try open(#"{ secrets: { file: "secrets.env" } }"#, environment: [
            "REPLICATE_API_TOKEN": "r8_fromtheenvironment", "ODDLY_NAMED": "odd-value-7890", "IMAGEGEN_MASTER_KEY": master.text])
        let source = security.secretSource
        XCTAssertEqual(source.secret(named: "STABILITY_API_KEY"), "sk-fromthefile-123456")
        XCTAssertEqual(source.secret(named: "REPLICATE_API_TOKEN"), "r8_fromtheenvironment")
        XCTAssertNil(source.secret(named: "IMAGEGEN_MASTER_KEY"), "plugins never get the master key")
        XCTAssertEqual(security.redact("a sk-fromthefile-123456 b r8_fromtheenvironment"),
                       "a [REDACTED:STABILITY_API_KEY] b [REDACTED:REPLICATE_API_TOKEN]")
        XCTAssertTrue(security.redact("key \(master.text)").contains("[REDACTED:master key \(master.id)]"))
        // A name no convention marks as secret is still served (a plugin's `secret_name`) and learnt.
        XCTAssertEqual(security.redact("odd-value-7890"), "odd-value-7890")
        XCTAssertEqual(source.secret(named: "ODDLY_NAMED"), "odd-value-7890")
        XCTAssertEqual(security.redact("odd-value-7890"), "[REDACTED:ODDLY_NAMED]")

        // The runtime's log goes through it.
        let runtime = HostRuntime(paths: HostPaths(config: nil, plugins: folder + "/plugins", data: folder + "/data", environment: [:]),
                                  configuration: Configuration(), log: log, security: security)
        runtime.log.warning("calling with sk-fromthefile-123456")
        XCTAssertTrue(lines.lines.contains { $0.contains("calling with [REDACTED:STABILITY_API_KEY]") }, "\(lines.lines)")
        XCTAssertFalse(lines.lines.contains { $0.contains("sk-fromthefile-123456") })
    }

    func testPluginHTTPErrorsAreRedactedBeforeThePluginSeesThem() {
        let (log, _) = TestEnvironment.capturingLog()
        let redaction = LiveRedaction(secrets: [(name: "API_KEY", value: "secret-in-url-42")])
        log.setRedaction { redaction.redact($0) }
        let client = PluginHTTPClient(secrets: EnvironmentSecrets(environment: [:]), log: log)
        let result = client.perform(method: "GET", url: "ftp://example.invalid/?key=secret-in-url-42", headers: [], body: nil,
                                    timeoutMilliseconds: 100, source: "test")
        guard case .failure(.notSent(let message)) = result else { return XCTFail("\(result)") }
        XCTAssertTrue(message.contains("[REDACTED:API_KEY]"), message)
        XCTAssertFalse(message.contains("secret-in-url-42"))
    }

    func testUnusableSecuritySettingsRefuseToStartSayingWhy() throws {
        try SecurityFixtures.writeOwnerOnly(folder + "/secrets.env", "A_TOKEN=abcdefgh\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: folder + "/secrets.env")
        let cases: [(String, String)] = [
            (#"{ secrets: { file: "secrets.env" } }"#, "chmod 600"),
            (#"{ encryption: { master_key: "abc" } }"#, "encryption.master_key looks like a secret"),
            (#"{ encryption: { keyfile: "x" } }"#, "unknown key \"encryption.keyfile\""),
            (#"{ encryption: { search: "fuzzy" } }"#, "must be \"index\" or \"decrypt\""),
            (#"{ policy: { disabled_rules: ["hard.non-consent"] } }"#, "cannot be disabled"),
            (#"{ quotas: { providers: { preview: { images_per_day: -1 } } } }"#, "use a number ≥ 0"),
            (#"{ attestation: { attested_by: "x", attested_at: "last tuesday" } }"#, "is not a date"),
        ]
        for (config, expected) in cases {
            XCTAssertThrowsError(try open(config), config) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(config): \(error)")
            }
        }
    }

    func testAConfiguredKeyFileThatIsMissingLocksAndNothingIsGenerated() throws {
        let (security, _, _) = try open(#"{ encryption: { key_file: "gone.key" } }"#)
        XCTAssertFalse(security.prompts.canRead)
        XCTAssertTrue(security.prompts.lockedReason?.contains("gone.key") ?? false)
        XCTAssertFalse(security.audit.isRecording)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/data/keys/master.key"))
        XCTAssertThrowsError(try security.prompts.seal("x", binding: .prompt(of: "img")))
    }

    func testProcessesStartingTogetherAgreeOnOneGeneratedKey() async throws {
        let data = folder + "/data"
        let (log, _) = TestEnvironment.capturingLog()
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    guard case .keyed(let ring, _) = try MasterKeyResolution.resolve(
                        environment: [:], configuredKeyFile: nil, dataDirectory: data, protectedDataExists: { nil }, log: log)
                    else { return "locked" }
                    return ring.current.id.rawValue
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(ids.count, 1, "\(ids)")
        XCTAssertFalse(ids.contains("locked"))
    }
}
