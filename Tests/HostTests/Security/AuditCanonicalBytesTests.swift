import XCTest
@testable import Crypto
@testable import Security

/// The bytes an audit entry's MAC covers are a format: logs written by earlier builds must still
/// verify, so any change to how they are assembled has to give exactly these bytes.
final class AuditCanonicalBytesTests: XCTestCase {
    func testTheMACCoversExactlyTheseBytes() {
        let bytes = AuditEntry.canonicalBytes(seq: 42, time: "2026-12-08T03:00:00.000Z", principal: "token:ci", action: .apiCall,
                                              subject: "GET /v1/jobs/é", details: ["status": "200", "b": "x=y:z", "a": ""],
                                              key: KeyID(rawValue: "0123abcd")!, prevHash: "abc")
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), """
            imagegen.audit.v1
            seq:2:42
            time:24:2026-12-08T03:00:00.000Z
            principal:8:token:ci
            action:8:api.call
            subject:15:GET /v1/jobs/é
            details:3
            1:a=0:
            1:b=5:x=y:z
            6:status=3:200
            key:8:0123abcd
            prev_hash:3:abc

            """)
    }
}
