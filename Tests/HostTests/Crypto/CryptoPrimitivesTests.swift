import XCTest
@testable import Crypto

/// The Crypto target's libsodium wrappers against published vectors (RFC 4231 for HMAC-SHA256,
/// RFC 7693 and the BLAKE2 reference KAT for BLAKE2b), so a wrapper that passes the wrong length,
/// key or pointer fails here rather than as a mismatched signature somewhere downstream.
final class CryptoPrimitivesTests: XCTestCase {
    func testSodiumPreparesOnThisMachine() {
        XCTAssertNoThrow(try SodiumRuntime.prepare())
    }

    func testSodiumUnavailableSaysWhatToCheck() {
        let message = SodiumUnavailable(status: -1).description
        XCTAssertTrue(message.contains("sodium_init returned -1"), message)
        XCTAssertTrue(message.contains("random source"), message)
    }

    // MARK: HMAC-SHA256 (RFC 4231 §4)

    func testHMACSHA256RFC4231Case1() {
        let tag = HMACSHA256.authenticate(key: [UInt8](repeating: 0x0b, count: 20), message: "Hi There")
        XCTAssertEqual(SodiumEncoding.hex(tag), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    func testHMACSHA256RFC4231Case2ShortKey() {
        let tag = HMACSHA256.authenticate(key: Array("Jefe".utf8), message: "what do ya want for nothing?")
        XCTAssertEqual(SodiumEncoding.hex(tag), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testHMACSHA256RFC4231Case6KeyLongerThanBlock() {
        let tag = HMACSHA256.authenticate(key: [UInt8](repeating: 0xaa, count: 131),
                                          message: "Test Using Larger Than Block-Size Key - Hash Key First")
        XCTAssertEqual(SodiumEncoding.hex(tag), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    func testHMACSHA256EmptyKeyAndMessage() {
        XCTAssertEqual(SodiumEncoding.hex(HMACSHA256.authenticate(key: [], message: [])),
                       "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    /// The audit chain keys HMAC with guarded 32-byte key material; both key forms must agree with
    /// the reference (Python's hmac) so stored audit MACs stay verifiable.
    func testHMACSHA256GuardedKeyMatchesPlainKey() {
        let keyBytes = (0..<32).map { UInt8($0) }
        let message = Array("imagegen audit entry".utf8)
        let expected = "35a7241a9352c7259bcf2d7627890364eb170f70d25c985d9515effa13641921"
        XCTAssertEqual(SodiumEncoding.hex(HMACSHA256.authenticate(key: keyBytes, message: message)), expected)
        XCTAssertEqual(SodiumEncoding.hex(HMACSHA256.authenticate(key: SecretBytes(copying: keyBytes), message: message)),
                       expected)
    }

    // MARK: BLAKE2b

    func testGenericHashEmptyInput256() {
        XCTAssertEqual(SodiumEncoding.hex(GenericHash.hash([])),
                       "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
    }

    func testGenericHashRFC7693ABC512() {
        XCTAssertEqual(SodiumEncoding.hex(GenericHash.hash(Array("abc".utf8), length: 64)),
                       "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                       + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }

    func testGenericHashShortDigestIsNotATruncation() {
        // BLAKE2b's output length is a parameter, so 16 bytes differ from the 64-byte digest's prefix.
        XCTAssertEqual(SodiumEncoding.hex(GenericHash.hash(Array("abc".utf8), length: 16)),
                       "cf4ab791c62b8d2b2109c90275287816")
    }

    func testGenericHashKeyedKAT() {
        let key = SecretBytes(copying: (0..<64).map { UInt8($0) })
        XCTAssertEqual(SodiumEncoding.hex(GenericHash.hash([], length: 64, key: key)),
                       "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
                       + "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568")
        XCTAssertEqual(SodiumEncoding.hex(GenericHash.hash([0, 1, 2], length: 64, key: key)),
                       "33d0825dddf7ada99b0e7e307104ad07ca9cfd9692214f1561356315e784f3e5"
                       + "a17e364ae9dbb14cb2036df932b77f4b292761365fb328de7afdc6d8998f5fc1")
    }

    // MARK: Constant-time comparison

    func testConstantTimeEqual() {
        XCTAssertTrue(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(ConstantTime.equal([1, 2, 3], [1, 2]))
        XCTAssertTrue(ConstantTime.equal([], []))
        XCTAssertFalse(ConstantTime.equal([], [0]))
    }
}
