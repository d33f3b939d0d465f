import XCTest
@testable import Host
@testable import Crypto
@testable import Security

final class SecurityRedactionTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try SecurityTestSupport.makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    // Built at run time so the file itself holds nothing shaped like a real key.
    private let token = "r8" + "_FAKEtoken0123456789abcdef"
    private let stabilityKey = "sk-FAKE/stability+key=="

    func testMasksEveryOccurrenceAndForm() {
        let redactor = SecretRedactor(secrets: [("REPLICATE_API_TOKEN", token), ("STABILITY_API_KEY", stabilityKey)])
        let line = "auth failed for \(token); retry with \(token) body={\"key\":\"sk-FAKE\\/stability+key==\"} url=?k=\(stabilityKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        let redacted = redactor.redact(line)
        XCTAssertFalse(redacted.contains(token))
        XCTAssertFalse(redacted.contains("stability+key"))
        XCTAssertFalse(redacted.contains("stability%2Bkey"))
        XCTAssertEqual(redacted.components(separatedBy: "[REDACTED:REPLICATE_API_TOKEN]").count - 1, 2)
        XCTAssertEqual(redacted.components(separatedBy: "[REDACTED:STABILITY_API_KEY]").count - 1, 2)
        XCTAssertTrue(redacted.hasPrefix("auth failed for [REDACTED:REPLICATE_API_TOKEN]; retry with"))
        XCTAssertTrue(redactor.containsSecret(line))
        XCTAssertFalse(redactor.containsSecret(redacted))
    }

    func testTextWithoutSecretsIsUnchangedIncludingUnicode() {
        let redactor = SecretRedactor(secrets: [("K", token)])
        let text = "un renard roux — 狐 — r8_FAKEtoken012 (prefix only)"
        XCTAssertEqual(redactor.redact(text), text)
        XCTAssertEqual(redactor.redact(""), "")
        XCTAssertEqual(redactor.redact("é\(token)é"), "é[REDACTED:K]é")
    }

    func testShortSecretsAreSkippedAndReported() {
        let redactor = SecretRedactor(secrets: [("PIN", "1234"), ("LONG", token)])
        XCTAssertEqual(redactor.skippedNames, ["PIN"])
        XCTAssertEqual(redactor.redact("pin 1234 in 2024-12-31"), "pin 1234 in 2024-12-31")
    }

    func testOverlappingSecretsPreferTheLongest() {
        let redactor = SecretRedactor(secrets: [("SHORT", "abcdef12"), ("LONG", "abcdef1234567")])
        XCTAssertEqual(redactor.redact("x abcdef1234567 y abcdef12 z"), "x [REDACTED:LONG] y [REDACTED:SHORT] z")
    }

    func testMasterKeyEncodingsAreRedacted() throws {
        let ring = try KeyRing(current: SecurityTestSupport.key(SecurityTestSupport.hexKeyA))
        let redactor = SecretRedactor(store: SecretStore(values: [:]), keyRing: ring)
        let base64 = Data(SodiumEncoding.decodeHex(SecurityTestSupport.hexKeyA)!).base64EncodedString()
        for leaked in [SecurityTestSupport.hexKeyA, SecurityTestSupport.hexKeyA.uppercased(), base64] {
            let redacted = redactor.redact("env IMAGEGEN_MASTER_KEY=\(leaked) end")
            XCTAssertFalse(redacted.contains(leaked), redacted)
            XCTAssertTrue(redacted.contains("[REDACTED:master key \(ring.current.id)]"), redacted)
        }
    }

    func testSecretStoreFromEnvironmentAndFile() throws {
        let file = directory.appendingPathComponent("secrets.env")
        try SecurityTestSupport.writeFile(file, """
            # provider keys
            export REPLICATE_API_TOKEN="from-file-token-000"
            MIDJOURNEY_API_KEY = mj-file-key-111
            """, mode: 0o600)
        let store = try SecretStore.load(
            environment: ["REPLICATE_API_TOKEN": "from-env-token-999", "PATH": "/usr/bin", "CUSTOM": "declared-1234",
                          "HOME": "/root"],
            secretsFile: file.path, declaredNames: ["CUSTOM"])
        XCTAssertEqual(store.value(named: "REPLICATE_API_TOKEN"), "from-env-token-999")  // environment wins
        XCTAssertEqual(store.value(named: "MIDJOURNEY_API_KEY"), "mj-file-key-111")
        XCTAssertEqual(store.value(named: "CUSTOM"), "declared-1234")
        XCTAssertNil(store.value(named: "PATH"))
        XCTAssertFalse("\(store)".contains("from-env-token-999"))
        var dumped = ""
        dump(store, to: &dumped)
        XCTAssertFalse(dumped.contains("mj-file-key-111"))
    }

    func testMasterKeyIsNeverServedAsAPluginSecret() throws {
        let file = directory.appendingPathComponent("secrets.env")
        try SecurityTestSupport.writeFile(file, "IMAGEGEN_MASTER_KEY=\(SecurityTestSupport.hexKeyB)\nA_API_KEY=abcdefgh\n", mode: 0o600)
        let store = try SecretStore.load(
            environment: ["IMAGEGEN_MASTER_KEY": SecurityTestSupport.hexKeyA, "IMAGEGEN_MASTER_KEY_PREVIOUS": SecurityTestSupport.hexKeyB],
            secretsFile: file.path, declaredNames: ["IMAGEGEN_MASTER_KEY"])
        XCTAssertEqual(store.names, ["A_API_KEY"])
    }

    func testSecretsFileAsJSON() throws {
        let file = directory.appendingPathComponent("secrets.json")
        try SecurityTestSupport.writeFile(file, #"{"STABILITY_API_KEY": "sk-json-0000"}"#, mode: 0o600)
        let store = try SecretStore.load(environment: ["IMAGEGEN_SECRETS_FILE": file.path])
        XCTAssertEqual(store.value(named: "STABILITY_API_KEY"), "sk-json-0000")
    }

    func testSecretsFileWithLooseModeOrBadLineIsRefusedWithoutEchoingValues() throws {
        let file = directory.appendingPathComponent("secrets.env")
        try SecurityTestSupport.writeFile(file, "TOKEN=secret-value-123\n", mode: 0o604)
        XCTAssertThrowsError(try SecretStore.load(environment: [:], secretsFile: file.path)) { error in
            XCTAssertEqual(error as? SecretStoreError,
                           .file(.tooPermissive(path: file.path, purpose: "secrets file", mode: 0o604)))
            XCTAssertTrue("\(error)".contains("chmod 600 \(file.path)"))
        }
        try SecurityTestSupport.writeFile(file, "TOKEN=ok-value-123\nsecret-value-456\n", mode: 0o600)
        XCTAssertThrowsError(try SecretStore.load(environment: [:], secretsFile: file.path)) { error in
            XCTAssertEqual(error as? SecretStoreError, .malformedLine(path: file.path, line: 2, reason: "has no '='"))
            XCTAssertFalse("\(error)".contains("secret-value-456"))
        }
    }

    func testRedactorFromStoreCoversAllLoadedSecrets() throws {
        let store = SecretStore(values: ["A_API_KEY": "aaaaaaaaaa", "B_TOKEN": "bbbbbbbbbb"])
        let redactor = SecretRedactor(store: store, keyRing: nil)
        XCTAssertEqual(redactor.redact("aaaaaaaaaa/bbbbbbbbbb"), "[REDACTED:A_API_KEY]/[REDACTED:B_TOKEN]")
    }
}
