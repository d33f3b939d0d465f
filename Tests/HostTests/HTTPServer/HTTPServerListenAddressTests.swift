import XCTest
@testable import Host
@testable import HTTPServer

/// `--listen` parsing and the loopback decision that gates the token rule.
final class HTTPServerListenAddressTests: XCTestCase {
    func testParsesIPv4IPv6AndLocalhost() throws {
        let v4 = try HTTPListenAddress(parsing: "127.0.0.1:8080")
        XCTAssertEqual(v4.family, .ipv4)
        XCTAssertEqual(v4.port, 8080)
        XCTAssertEqual(v4.description, "127.0.0.1:8080")
        let v6 = try HTTPListenAddress(parsing: "[::1]:9000")
        XCTAssertEqual(v6.family, .ipv6)
        XCTAssertEqual(v6.description, "[::1]:9000")
        XCTAssertEqual(try HTTPListenAddress(parsing: "localhost:0"), .loopback(port: 0))
        XCTAssertEqual(try HTTPListenAddress(parsing: "0.0.0.0:80").host, "0.0.0.0")
    }

    func testLoopbackDecision() throws {
        for text in ["127.0.0.1:1", "127.8.9.10:1", "[::1]:1", "[::ffff:127.0.0.1]:1", "localhost:1"] {
            XCTAssertTrue(try HTTPListenAddress(parsing: text).isLoopback, text)
        }
        for text in ["0.0.0.0:1", "10.0.0.1:1", "[::]:1", "[::2]:1", "[::ffff:10.0.0.1]:1", "128.0.0.1:1"] {
            XCTAssertFalse(try HTTPListenAddress(parsing: text).isLoopback, text)
        }
    }

    func testRefusesMalformedAddresses() {
        XCTAssertThrowsError(try HTTPListenAddress(parsing: "127.0.0.1")) { XCTAssertEqual($0 as? HTTPListenAddressError, .missingPort("127.0.0.1")) }
        XCTAssertThrowsError(try HTTPListenAddress(parsing: "127.0.0.1:")) { XCTAssertEqual($0 as? HTTPListenAddressError, .invalidPort("127.0.0.1:")) }
        XCTAssertThrowsError(try HTTPListenAddress(parsing: "127.0.0.1:65536"))
        XCTAssertThrowsError(try HTTPListenAddress(parsing: "127.0.0.1:-1"))
        XCTAssertThrowsError(try HTTPListenAddress(parsing: "::1:8080")) { XCTAssertEqual($0 as? HTTPListenAddressError, .invalidHost("::1:8080")) }
        XCTAssertThrowsError(try HTTPListenAddress(parsing: "example.com:80"))
        XCTAssertThrowsError(try HTTPListenAddress(parsing: "[127.0.0.1]:80"))
        XCTAssertThrowsError(try HTTPListenAddress(parsing: "[::1]8080"))
        XCTAssertThrowsError(try HTTPListenAddress(parsing: "256.0.0.1:80"))
    }
}
