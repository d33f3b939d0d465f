import XCTest
@testable import Host
@testable import Crypto

final class SecurityKeyRingTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try SecurityTestSupport.makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testEnvironmentKeyInHexAndBase64GiveTheSameKeyID() throws {
        let hexRing = try XCTUnwrap(KeyRingLoader.load(environment: ["IMAGEGEN_MASTER_KEY": SecurityTestSupport.hexKeyA]))
        let base64 = Data(SodiumEncoding.decodeHex(SecurityTestSupport.hexKeyA)!).base64EncodedString()
        let b64Ring = try XCTUnwrap(KeyRingLoader.load(environment: ["IMAGEGEN_MASTER_KEY": " \(base64)\n"]))
        XCTAssertEqual(hexRing.current.id, b64Ring.current.id)
        let urlSafe = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        XCTAssertEqual(try MasterKey(encoded: urlSafe, source: "x").id, hexRing.current.id)
        XCTAssertNotEqual(try SecurityTestSupport.key(SecurityTestSupport.hexKeyB).id, hexRing.current.id)
    }

    func testNoKeyConfiguredMeansLocked() throws {
        XCTAssertNil(try KeyRingLoader.load(environment: [:]))
        XCTAssertNil(try KeyRingLoader.load(environment: ["IMAGEGEN_MASTER_KEY": ""]))
    }

    func testInvalidEnvironmentKeysSayWhatIsWrongWithoutEchoingTheKey() {
        let cases: [(String, String)] = [
            (String(SecurityTestSupport.hexKeyA.dropLast(2)), "62 hex digits"),
            (Data(repeating: 7, count: 16).base64EncodedString(), "base64 of 16 bytes"),
            ("not a key at all!!", "neither 64 hex digits nor base64"),
            (String(repeating: "0", count: 64), "single byte value"),
        ]
        for (value, expected) in cases {
            XCTAssertThrowsError(try KeyRingLoader.load(environment: ["IMAGEGEN_MASTER_KEY": value])) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("IMAGEGEN_MASTER_KEY "), message)
                XCTAssertTrue(message.contains(expected), message)
                XCTAssertFalse(message.contains(value), "the message echoes the key: \(message)")
            }
        }
    }

    func testPreviousKeysFromEnvironment() throws {
        let ring = try XCTUnwrap(KeyRingLoader.load(environment: [
            "IMAGEGEN_MASTER_KEY": SecurityTestSupport.hexKeyB,
            "IMAGEGEN_MASTER_KEY_PREVIOUS": SecurityTestSupport.hexKeyA,
        ]))
        XCTAssertEqual(ring.keyIDs, [try SecurityTestSupport.key(SecurityTestSupport.hexKeyB).id,
                                     try SecurityTestSupport.key(SecurityTestSupport.hexKeyA).id])
        XCTAssertThrowsError(try KeyRingLoader.load(environment: [
            "IMAGEGEN_MASTER_KEY": SecurityTestSupport.hexKeyA,
            "IMAGEGEN_MASTER_KEY_PREVIOUS": SecurityTestSupport.hexKeyA,
        ])) { error in
            guard case .duplicateKey? = error as? MasterKeyError else { return XCTFail("\(error)") }
        }
    }

    func testKeyFileWithMode0600Loads() throws {
        let file = directory.appendingPathComponent("master.key")
        try SecurityTestSupport.writeFile(file, "# current\n\(SecurityTestSupport.hexKeyB)\n\n\(SecurityTestSupport.hexKeyA)\n", mode: 0o600)
        let ring = try XCTUnwrap(KeyRingLoader.load(environment: ["IMAGEGEN_MASTER_KEY_FILE": file.path]))
        XCTAssertEqual(ring.current.id, try SecurityTestSupport.key(SecurityTestSupport.hexKeyB).id)
        XCTAssertEqual(ring.previous.count, 1)
    }

    func testKeyFileWithLooseModeIsRefusedNamingFileModeAndFix() throws {
        let file = directory.appendingPathComponent("master.key")
        try SecurityTestSupport.writeFile(file, SecurityTestSupport.hexKeyA + "\n", mode: 0o644)
        XCTAssertThrowsError(try KeyRingLoader.load(environment: [:], keyFile: file.path)) { error in
            let message = "\(error)"
            XCTAssertEqual(error as? MasterKeyError,
                           .keyFile(.tooPermissive(path: file.path, purpose: "key file", mode: 0o644)))
            XCTAssertTrue(message.contains(file.path), message)
            XCTAssertTrue(message.contains("mode 0644"), message)
            XCTAssertTrue(message.contains("chmod 600 \(file.path)"), message)
            XCTAssertFalse(message.contains(SecurityTestSupport.hexKeyA))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        XCTAssertThrowsError(try KeyRingLoader.load(environment: [:], keyFile: file.path))
    }

    func testKeyFileProblemsAreReported() throws {
        let missing = directory.appendingPathComponent("absent.key").path
        XCTAssertThrowsError(try KeyRingLoader.load(environment: [:], keyFile: missing)) { error in
            XCTAssertEqual(error as? MasterKeyError, .keyFile(.notFound(path: missing, purpose: "key file")))
        }
        let empty = directory.appendingPathComponent("empty.key")
        try SecurityTestSupport.writeFile(empty, "# nothing yet\n", mode: 0o600)
        XCTAssertThrowsError(try KeyRingLoader.load(environment: [:], keyFile: empty.path)) { error in
            XCTAssertEqual(error as? MasterKeyError, .emptyKeyFile(path: empty.path))
        }
        let bad = directory.appendingPathComponent("bad.key")
        try SecurityTestSupport.writeFile(bad, "\(SecurityTestSupport.hexKeyA)\nabc\n", mode: 0o600)
        XCTAssertThrowsError(try KeyRingLoader.load(environment: [:], keyFile: bad.path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("line 2 of the key file \(bad.path)"), "\(error)")
        }
    }

    func testEnvironmentKeyAndKeyFileTogetherAreAmbiguous() throws {
        XCTAssertThrowsError(try KeyRingLoader.load(
            environment: ["IMAGEGEN_MASTER_KEY": SecurityTestSupport.hexKeyA], keyFile: "/etc/imagegen/master.key")) { error in
            XCTAssertEqual(error as? MasterKeyError, .conflictingSources(file: "/etc/imagegen/master.key"))
        }
    }

    func testKeyDescriptionsNeverShowKeyMaterial() throws {
        let key = try SecurityTestSupport.key(SecurityTestSupport.hexKeyA)
        var dumped = ""
        dump(key, to: &dumped)
        for text in ["\(key)", String(reflecting: key), dumped, "\(try KeyRing(current: key))"] {
            for encoding in key.textEncodings { XCTAssertFalse(text.contains(encoding), text) }
            XCTAssertTrue(text.contains(key.id.rawValue), text)
        }
    }

    func testGeneratedKeysAreDistinctAndRoundTrip() throws {
        let a = MasterKey.generate(), b = MasterKey.generate()
        XCTAssertNotEqual(a.id, b.id)
        XCTAssertEqual(try MasterKey(encoded: a.exportBase64(), source: "x").id, a.id)
    }
}
