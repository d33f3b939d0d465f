import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import ImagegenConfig
@testable import Server

/// Where serve listens and how it guards the API: the token never comes from the config file.
final class ServerSettingsTests: XCTestCase {
    func settings(_ config: String, listen: String? = nil, env: [String: String] = [:]) throws -> ServerSettings {
        let c = try Configuration.parse(Data(config.utf8), file: "test.json5")
        return try ServerSettings(configuration: c, listen: listen, environment: env)
    }

    func testDefaultsAreLoopbackWithoutToken() throws {
        let s = try settings("{}")
        XCTAssertEqual(s.listen.description, "127.0.0.1:8080")
        XCTAssertNil(s.token)
        XCTAssertEqual(s.localURL.absoluteString, "http://127.0.0.1:8080")
        XCTAssertEqual(s.settleMilliseconds, 500)
    }

    func testFlagWinsOverConfigAndWildcardIsReachedThroughLoopback() throws {
        let s = try settings(#"{ server: { listen: "0.0.0.0:9000" } }"#, env: ["IMAGEGEN_API_TOKEN": "a-long-enough-token-123"])
        XCTAssertEqual(s.listen.description, "0.0.0.0:9000")
        XCTAssertEqual(s.localURL.absoluteString, "http://127.0.0.1:9000")
        XCTAssertNotNil(s.token)
        XCTAssertEqual(try settings(#"{ server: { listen: "0.0.0.0:9000" } }"#, listen: "127.0.0.1:7000").listen.port, 7000)
        XCTAssertEqual(try settings("{}", listen: "[::]:7001").localURL.absoluteString, "http://[::1]:7001")
    }

    func testTokenLiteralInTheConfigIsRefused() throws {
        for key in ["token", "api_token", "secret"] {
            XCTAssertThrowsError(try settings("{ server: { \(key): \"abcdefghijklmnopqrstuvwxyz\" } }")) { error in
                XCTAssertEqual(error as? ServerSettingsError, .tokenInConfig(key: key))
                XCTAssertFalse("\(error)".contains("abcdefghijklmnopqrstuvwxyz"), "the message never echoes the token")
            }
        }
    }

    func testTokenFromANamedVariable() throws {
        let s = try settings(#"{ server: { token_env: "MY_TOKEN" } }"#, env: ["MY_TOKEN": "named-variable-token-42"])
        XCTAssertTrue(s.token?.matches(Array("named-variable-token-42".utf8)) ?? false)
        XCTAssertThrowsError(try settings(#"{ server: { token_env: "MY_TOKEN" } }"#)) { error in
            XCTAssertEqual(error as? ServerSettingsError, .tokenVariableUnset("MY_TOKEN"))
        }
        XCTAssertThrowsError(try settings("{}", env: ["IMAGEGEN_API_TOKEN": "short"])) { error in
            guard case .invalidToken = error as? ServerSettingsError else { return XCTFail("\(error)") }
            XCTAssertFalse("\(error)".contains("short\""))
        }
    }

    func testUnknownKeysAndBadValuesAreRefused() {
        XCTAssertThrowsError(try settings("{ server: { lisen: \"x\" } }")) { XCTAssertEqual($0 as? ServerSettingsError, .unknownKey("lisen", known: ServerSettings.knownKeys)) }
        XCTAssertThrowsError(try settings("{ server: { listen: \"nowhere\" } }"))
        XCTAssertThrowsError(try settings("{ server: { settle_ms: -1 } }"))
        XCTAssertThrowsError(try settings("{ server: 5 }"))
    }

    func testNonLoopbackWithoutTokenRefusesToStart() async throws {
        let host = try TestHost(label: "srv-nontoken")
        let server = try HostServer(paths: host.paths, listen: "0.0.0.0:0", log: host.log, environment: [:])
        do {
            try await server.start()
            XCTFail("a non-loopback listener without a token must not start")
        } catch {
            guard case .http(.tokenRequired) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(error.description.contains("IMAGEGEN_API_TOKEN"), error.description)
        }
        await server.stop(grace: 0)
    }

    func testASecondServerOnTheSameDataFolderIsRefused() async throws {
        let host = try TestHost(label: "srv-lock")
        let first = try HostServer(paths: host.paths, listen: "127.0.0.1:0", log: host.log, environment: [:])
        XCTAssertThrowsError(try HostServer(paths: host.paths, listen: "127.0.0.1:0", log: host.log, environment: [:])) { error in
            guard case .runnerLockHeld = error as? HostServerError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("another imagegen process"))
        }
        await first.stop(grace: 0)
    }
}
