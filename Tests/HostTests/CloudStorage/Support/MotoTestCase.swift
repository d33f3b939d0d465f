import XCTest

/// A test class whose tests talk to moto: one server for the whole class (started by the first
/// test, stopped after the last), reached through `moto`.
class MotoTestCase: XCTestCase {
    var moto: MotoS3Server!

    override class func tearDown() {
        MotoS3Server.stopShared()
        super.tearDown()
    }

    override func setUp() async throws {
        try await super.setUp()
        moto = try await MotoS3Server.shared()
    }
}
