import XCTest
@testable import Host
@testable import HTTPServer

/// Bearer tokens: the middleware itself, and the rule that a non-loopback listener needs one.
final class HTTPServerAuthTests: XCTestCase {
    private let secret = "correct-horse-battery-staple-42"

    func testTokensMustBeLongAndToken68() {
        XCTAssertThrowsError(try BearerToken("short")) { XCTAssertEqual($0 as? BearerTokenError, .tooShort(minimum: 16)) }
        XCTAssertThrowsError(try BearerToken("has a space in the token")) {
            XCTAssertEqual($0 as? BearerTokenError, .invalidCharacters)
        }
        XCTAssertNoThrow(try BearerToken(secret))
    }

    func testTokenNeverAppearsInDescriptions() throws {
        let token = try BearerToken(secret)
        XCTAssertFalse(String(describing: token).contains(secret))
        XCTAssertFalse(String(reflecting: token).contains(secret))
        var configuration = HTTPServerConfiguration()
        configuration.token = token
        XCTAssertFalse(String(reflecting: configuration).contains(secret))
    }

    func testMatchesOnlyTheExactToken() throws {
        let token = try BearerToken(secret)
        XCTAssertTrue(token.matches(Array(secret.utf8)))
        XCTAssertFalse(token.matches(Array((secret + "x").utf8)))
        XCTAssertFalse(token.matches(Array(secret.dropLast().utf8)))
        XCTAssertFalse(token.matches(Array(secret.uppercased().utf8)))
        XCTAssertFalse(token.matches([UInt8]()))
    }

    func testAuthorizationHeaderForms() throws {
        let auth = BearerTokenAuth(token: try BearerToken(secret))
        func check(_ values: [String]) -> Bool {
            auth.authorizes(HTTPHeaders(values.map { HTTPHeaders.Field(name: "Authorization", value: $0) }))
        }
        XCTAssertTrue(check(["Bearer \(secret)"]))
        XCTAssertTrue(check(["bearer \(secret)"]))
        XCTAssertTrue(check(["Bearer   \(secret)"]))
        XCTAssertFalse(check([]))
        XCTAssertFalse(check(["Bearer\(secret)"]))
        XCTAssertFalse(check(["Basic \(secret)"]))
        XCTAssertFalse(check(["Bearer "]))
        XCTAssertFalse(check([secret]))
        XCTAssertFalse(check(["Bearer \(secret)", "Bearer \(secret)"]), "a repeated Authorization header is ambiguous")
    }

    func testMiddlewareRejectsWithoutCallingTheHandler() async throws {
        let auth = BearerTokenAuth(token: try BearerToken(secret))
        let calls = CallCounter()
        let guarded = auth.wrap { _ in
            await calls.increment()
            return .text("secret data")
        }
        let rejected = await guarded(HTTPRequest(method: .get, target: "/v1/models"))
        XCTAssertEqual(rejected.status, .unauthorized)
        XCTAssertEqual(rejected.headers["WWW-Authenticate"], "Bearer realm=\"imagegen\"")
        let wrong = await guarded(HTTPRequest(method: .get, target: "/", headers: ["Authorization": "Bearer nope-nope-nope-nope"]))
        XCTAssertEqual(wrong.status, .unauthorized)
        let callsAfterRejections = await calls.value
        XCTAssertEqual(callsAfterRejections, 0)
        let accepted = await guarded(HTTPRequest(method: .get, target: "/", headers: ["Authorization": "Bearer \(secret)"]))
        XCTAssertEqual(accepted.status, .ok)
        let callsAfterAccept = await calls.value
        XCTAssertEqual(callsAfterAccept, 1)
    }

    func testNonLoopbackListenerWithoutTokenRefusesToStart() throws {
        for text in ["0.0.0.0:0", "[::]:0", "192.0.2.10:8080"] {
            let server = HTTPServer(configuration: .init(listen: try HTTPListenAddress(parsing: text)), handler: { _ in .noContent })
            XCTAssertThrowsError(try server.start(), text) { error in
                guard case .tokenRequired = error as? HTTPServerError else { return XCTFail("got \(error)") }
                XCTAssertTrue("\(error)".contains("IMAGEGEN_API_TOKEN"), "\(error)")
            }
            XCTAssertNil(server.port)
        }
    }

    func testForcedTokenOnLoopbackRefusesToStartWithoutOne() {
        var configuration = HTTPServerConfiguration(listen: .loopback(port: 0))
        configuration.requireToken = true
        let server = HTTPServer(configuration: configuration, handler: { _ in .noContent })
        XCTAssertThrowsError(try server.start()) { error in
            guard case .tokenRequired = error as? HTTPServerError else { return XCTFail("got \(error)") }
        }
    }

    func testTokenPolicy() throws {
        let token = try BearerToken(secret)
        XCTAssertFalse(HTTPServerConfiguration(listen: .loopback(port: 0)).lacksRequiredToken)
        XCTAssertTrue(HTTPServerConfiguration(listen: try .init(parsing: "0.0.0.0:80")).lacksRequiredToken)
        XCTAssertFalse(HTTPServerConfiguration(listen: try .init(parsing: "0.0.0.0:80"), token: token).lacksRequiredToken)
    }
}

private actor CallCounter {
    private(set) var value = 0
    func increment() { value += 1 }
}
