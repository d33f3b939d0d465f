import XCTest
@testable import Host
final class SmokeTests: XCTestCase {
    func testVersion() { XCTAssertFalse(HostInfo.version.isEmpty) }
}
