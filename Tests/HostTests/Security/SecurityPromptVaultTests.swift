import XCTest
@testable import Host
@testable import Crypto

final class SecurityPromptVaultTests: XCTestCase {
    private func vault(current: String = SecurityTestSupport.hexKeyA, previous: [String] = []) throws -> PromptVault {
        let ring = try KeyRing(current: SecurityTestSupport.key(current),
                               previous: previous.map { try SecurityTestSupport.key($0) })
        return PromptVault(keyRing: ring)
    }

    func testRoundTripAndEnvelopeShape() throws {
        let vault = try vault()
        let prompt = "a red fox in the snow, éclairage doux — 狐"
        let binding = EnvelopeBinding.prompt(of: "img_123")
        let envelope = try vault.encrypt(prompt, binding: binding)
        XCTAssertTrue(envelope.hasPrefix("enc:v1:\(vault.currentKeyID!.rawValue):"))
        XCTAssertFalse(envelope.contains("fox"))
        XCTAssertFalse(envelope.contains("\"") || envelope.contains("\\") || envelope.contains("\n"))
        XCTAssertEqual(try vault.decrypt(envelope, binding: binding), prompt)
        // Random nonce: the same prompt encrypts differently each time.
        XCTAssertNotEqual(try vault.encrypt(prompt, binding: binding), envelope)
        XCTAssertEqual(try vault.decrypt(try vault.encrypt("", binding: binding), binding: binding), "")
    }

    func testPaddingHidesExactLength() throws {
        let vault = try vault()
        let binding = EnvelopeBinding.prompt(of: "x")
        let short = try vault.encrypt("cat", binding: binding)
        let longer = try vault.encrypt("a black cat", binding: binding)
        XCTAssertEqual(short.count, longer.count)
    }

    func testFlippedByteFailsAuthentication() throws {
        let vault = try vault()
        let binding = EnvelopeBinding.prompt(of: "img_1")
        let envelope = try vault.encrypt("a quiet harbour at dawn", binding: binding)
        let parsed = try PromptEnvelope(parsing: envelope, binding: binding)
        for index in [0, 24, parsed.payload.count - 1] {  // nonce, ciphertext, tag
            var payload = parsed.payload
            payload[index] ^= 0x01
            let tampered = PromptEnvelope(keyID: parsed.keyID, payload: payload).text
            XCTAssertThrowsError(try vault.decrypt(tampered, binding: binding)) { error in
                XCTAssertEqual(error as? PromptVaultError, .authenticationFailed(binding, keyID: parsed.keyID))
            }
        }
    }

    func testEnvelopeIsBoundToRecordAndField() throws {
        let vault = try vault()
        let envelope = try vault.encrypt("a lighthouse", binding: .prompt(of: "img_1"))
        XCTAssertThrowsError(try vault.decrypt(envelope, binding: .prompt(of: "img_2")))
        XCTAssertThrowsError(try vault.decrypt(envelope, binding: .negativePrompt(of: "img_1")))
    }

    func testWrongKeyIsNamedAndRefused() throws {
        let writer = try vault(current: SecurityTestSupport.hexKeyA)
        let reader = try vault(current: SecurityTestSupport.hexKeyB)
        let binding = EnvelopeBinding.prompt(of: "img_1")
        let envelope = try writer.encrypt("a mountain lake", binding: binding)
        XCTAssertThrowsError(try reader.decrypt(envelope, binding: binding)) { error in
            guard case .unknownKey(_, let id, let available)? = error as? PromptVaultError else {
                return XCTFail("expected unknownKey, got \(error)")
            }
            XCTAssertEqual(id, writer.currentKeyID)
            XCTAssertEqual(available, [reader.currentKeyID!])
            XCTAssertTrue("\(error)".contains(KeyRingLoader.previousKeysVariable))
        }
        // An envelope relabelled with the reader's key id still fails (the key id is authenticated).
        let relabelled = envelope.replacingOccurrences(of: writer.currentKeyID!.rawValue, with: reader.currentKeyID!.rawValue)
        XCTAssertThrowsError(try reader.decrypt(relabelled, binding: binding)) { error in
            XCTAssertEqual(error as? PromptVaultError, .authenticationFailed(binding, keyID: reader.currentKeyID!))
        }
    }

    func testLockedVaultRefusesWithActionableMessage() {
        let vault = PromptVault(keyRing: nil)
        XCTAssertTrue(vault.isLocked)
        XCTAssertThrowsError(try vault.encrypt("x", binding: .prompt(of: "a"))) { error in
            XCTAssertEqual(error as? PromptVaultError, .locked)
            XCTAssertTrue("\(error)".hasPrefix("prompts are encrypted; set IMAGEGEN_MASTER_KEY"))
        }
        XCTAssertThrowsError(try vault.decrypt("enc:v1:00000000:AAAA", binding: .prompt(of: "a")))
    }

    func testMalformedEnvelopesAreRejectedWithoutEchoingText() throws {
        let vault = try vault()
        let binding = EnvelopeBinding.prompt(of: "img_9")
        let plaintext = "a plaintext prompt that must not be echoed"
        for (text, check) in [
            (plaintext, { (e: PromptVaultError) in e == .notAnEnvelope(binding) }),
            ("enc:v2:0123abcd:AAAA", { (e: PromptVaultError) in e == .unsupportedVersion(binding, version: "v2") }),
            ("enc:v1:XYZ:AAAA", { (e: PromptVaultError) in if case .malformedEnvelope = e { return true }; return false }),
            ("enc:v1:0123abcd:!!!", { (e: PromptVaultError) in if case .malformedEnvelope = e { return true }; return false }),
            ("enc:v1:0123abcd:AAAA", { (e: PromptVaultError) in if case .malformedEnvelope = e { return true }; return false }),
        ] as [(String, (PromptVaultError) -> Bool)] {
            XCTAssertThrowsError(try vault.decrypt(text, binding: binding)) { error in
                guard let vaultError = error as? PromptVaultError else { return XCTFail("\(error)") }
                XCTAssertTrue(check(vaultError), "\(vaultError)")
                XCTAssertFalse("\(vaultError)".contains(plaintext))
            }
        }
    }

    func testRotationDecryptsOldReencryptsWithCurrentAndIsIdempotent() throws {
        let old = try vault(current: SecurityTestSupport.hexKeyA)
        let binding = EnvelopeBinding.negativePrompt(of: "img_7")
        let oldEnvelope = try old.encrypt("blurry, low quality", binding: binding)

        let rotated = try vault(current: SecurityTestSupport.hexKeyB, previous: [SecurityTestSupport.hexKeyA])
        XCTAssertEqual(try rotated.decrypt(oldEnvelope, binding: binding), "blurry, low quality")
        XCTAssertTrue(rotated.needsRotation(oldEnvelope))

        let newEnvelope = try rotated.reencrypt(oldEnvelope, binding: binding)
        XCTAssertTrue(newEnvelope.hasPrefix("enc:v1:\(rotated.currentKeyID!.rawValue):"))
        XCTAssertFalse(rotated.needsRotation(newEnvelope))
        XCTAssertEqual(try rotated.decrypt(newEnvelope, binding: binding), "blurry, low quality")
        // Running the batch again changes nothing.
        XCTAssertEqual(try rotated.reencrypt(newEnvelope, binding: binding), newEnvelope)
        // Once the old key is dropped, the rotated envelope still opens.
        let afterRotation = try vault(current: SecurityTestSupport.hexKeyB)
        XCTAssertEqual(try afterRotation.decrypt(newEnvelope, binding: binding), "blurry, low quality")
        XCTAssertThrowsError(try afterRotation.decrypt(oldEnvelope, binding: binding))
    }

    /// A rotation batch interrupted half-way and run again: every row ends under the current
    /// key, and at every step every row is readable.
    func testInterruptedRotationResumes() throws {
        let old = try vault(current: SecurityTestSupport.hexKeyA)
        var rows: [(EnvelopeBinding, String, String)] = try (0..<10).map { i in
            let binding = EnvelopeBinding.prompt(of: "img_\(i)")
            return (binding, "prompt number \(i)", try old.encrypt("prompt number \(i)", binding: binding))
        }
        let rotating = try vault(current: SecurityTestSupport.hexKeyB, previous: [SecurityTestSupport.hexKeyA])
        func readable() throws {
            for (binding, plain, stored) in rows { XCTAssertEqual(try rotating.decrypt(stored, binding: binding), plain) }
        }
        for i in 0..<4 { rows[i].2 = try rotating.reencrypt(rows[i].2, binding: rows[i].0) }
        try readable()  // "crash" here: half the rows rotated
        for i in rows.indices where rotating.needsRotation(rows[i].2) {
            rows[i].2 = try rotating.reencrypt(rows[i].2, binding: rows[i].0)
        }
        try readable()
        XCTAssertTrue(rows.allSatisfy { !rotating.needsRotation($0.2) })
    }

    func testUpgradeEncryptsLegacyPlaintext() throws {
        let vault = try vault()
        let binding = EnvelopeBinding.prompt(of: "legacy")
        XCTAssertTrue(vault.needsRotation("an old plaintext prompt"))
        let upgraded = try vault.upgrade("an old plaintext prompt", binding: binding)
        XCTAssertEqual(try vault.decrypt(upgraded, binding: binding), "an old plaintext prompt")
        XCTAssertEqual(try vault.upgrade(upgraded, binding: binding), upgraded)
    }

    func testSearchTokensMatchNormalisedWordsAcrossRotation() throws {
        let old = try vault(current: SecurityTestSupport.hexKeyA)
        let indexed = try old.searchTokens(for: "Café au lait, RED fox; red FOX a")
        XCTAssertEqual(indexed.count, 5)  // cafe, au, lait, red, fox ("a" is too short)
        XCTAssertTrue(indexed.allSatisfy { $0.hasPrefix("\(old.currentKeyID!.rawValue):") })
        XCTAssertFalse(indexed.joined().contains("fox"))

        let query = try old.queryTokens(for: "cafe Fox")
        XCTAssertEqual(query.count, 2)
        XCTAssertTrue(query.allSatisfy { alternatives in alternatives.contains { indexed.contains($0) } })
        XCTAssertFalse(try old.queryTokens(for: "wolf")[0].contains { indexed.contains($0) })

        // After rotation a query carries one token per key, so rows not yet re-indexed still match.
        let rotated = try vault(current: SecurityTestSupport.hexKeyB, previous: [SecurityTestSupport.hexKeyA])
        let rotatedQuery = try rotated.queryTokens(for: "fox")
        XCTAssertEqual(rotatedQuery[0].count, 2)
        XCTAssertTrue(rotatedQuery[0].contains { indexed.contains($0) })
        XCTAssertTrue(rotatedQuery[0].contains { try! rotated.searchTokens(for: "fox").contains($0) })
        // Different keys give unrelated tokens for the same word.
        XCTAssertNotEqual(try old.searchTokens(for: "fox"), try rotated.searchTokens(for: "fox"))
    }
}
