import CSodium

/// Encrypts prompts at rest with XChaCha20-Poly1305 (IETF) under the prompt subkey of the
/// current master key, and opens envelopes written under any key still in the ring.
///
/// - A fresh random 24-byte nonce per encryption: XChaCha's 192-bit nonce makes random nonces
///   safe for any realistic number of prompts per key.
/// - The plaintext is padded to a multiple of 32 bytes (`sodium_pad`) so the envelope's length
///   tells only roughly how long the prompt is.
/// - The key id, record and field are associated data (`EnvelopeBinding`).
///
/// A vault built without a key ring is *locked*: every operation that needs a key throws
/// `PromptVaultError.locked`, so the host can still list images, costs and jobs.
public struct PromptVault: Sendable {
    static let paddingBlock = 32

    public let keyRing: KeyRing?

    public init(keyRing: KeyRing?) {
        SodiumRuntime.ensureReady()
        self.keyRing = keyRing
    }

    public var isLocked: Bool { keyRing == nil }

    /// The key id new envelopes are written with, or nil when locked.
    public var currentKeyID: KeyID? { keyRing?.current.id }

    // MARK: - Encrypt / decrypt

    /// Encrypts `plaintext` under the current key, bound to `binding`. Returns the envelope text.
    public func encrypt(_ plaintext: String, binding: EnvelopeBinding) throws(PromptVaultError) -> String {
        guard let ring = keyRing else { throw .locked }
        return Self.seal(plaintext, key: ring.current, binding: binding).text
    }

    /// Decrypts an envelope written under any key in the ring.
    public func decrypt(_ envelopeText: String, binding: EnvelopeBinding) throws(PromptVaultError) -> String {
        guard let ring = keyRing else { throw .locked }
        let envelope = try PromptEnvelope(parsing: envelopeText, binding: binding)
        guard let key = ring.key(for: envelope.keyID) else {
            throw .unknownKey(binding, keyID: envelope.keyID, available: ring.keyIDs)
        }
        return try Self.open(envelope, key: key, binding: binding)
    }

    /// Re-encrypts an envelope under the current key. An envelope already under the current
    /// key is returned unchanged, so a rotation batch interrupted at any point can simply be
    /// run again: finished rows are no-ops, unfinished ones still open with the previous key.
    public func reencrypt(_ envelopeText: String, binding: EnvelopeBinding) throws(PromptVaultError) -> String {
        guard let ring = keyRing else { throw .locked }
        let envelope = try PromptEnvelope(parsing: envelopeText, binding: binding)
        if envelope.keyID == ring.current.id { return envelopeText }
        let plaintext = try decrypt(envelopeText, binding: binding)
        return Self.seal(plaintext, key: ring.current, binding: binding).text
    }

    /// Whether `reencrypt` would change this stored value: true for envelopes under a previous
    /// key and for plaintext (from before encryption was enabled).
    public func needsRotation(_ stored: String) -> Bool {
        guard let ring = keyRing else { return false }
        guard PromptEnvelope.looksLikeEnvelope(stored) else { return true }
        return !stored.hasPrefix("\(PromptEnvelope.prefix)\(PromptEnvelope.version):\(ring.current.id.rawValue):")
    }

    /// Brings a stored value to the current key: encrypts plaintext (legacy rows), re-encrypts
    /// old envelopes, leaves current envelopes unchanged.
    public func upgrade(_ stored: String, binding: EnvelopeBinding) throws(PromptVaultError) -> String {
        if PromptEnvelope.looksLikeEnvelope(stored) { return try reencrypt(stored, binding: binding) }
        return try encrypt(stored, binding: binding)
    }

    // MARK: - Search tokens

    /// The keyed hashes of the prompt's normalised words under the current key, for a word
    /// index next to the ciphertext (see docs/security.md for what this reveals).
    public func searchTokens(for prompt: String) throws(PromptVaultError) -> [String] {
        guard let ring = keyRing else { throw .locked }
        return PromptSearchIndex(key: ring.current).tokens(for: prompt)
    }

    /// Tokens to look up for a query: one inner list per query word (all words must match),
    /// each with one token per key in the ring (rows not yet rotated still match).
    public func queryTokens(for query: String) throws(PromptVaultError) -> [[String]] {
        guard let ring = keyRing else { throw .locked }
        let indexes = ring.allKeys.map { PromptSearchIndex(key: $0) }
        return PromptSearchIndex.words(in: query).map { word in indexes.map { $0.token(forWord: word) } }
    }

    // MARK: - libsodium

    static func seal(_ plaintext: String, key: MasterKey, binding: EnvelopeBinding) -> PromptEnvelope {
        var message = Array(plaintext.utf8)
        let unpadded = message.count
        message.append(contentsOf: [UInt8](repeating: 0, count: paddingBlock))
        var paddedLength = 0
        let padResult = message.withUnsafeMutableBytes {
            sodium_pad(&paddedLength, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), unpadded, paddingBlock, $0.count)
        }
        precondition(padResult == 0, "sodium_pad failed with a buffer one block larger than the message")
        defer { SodiumRuntime.wipe(&message) }

        let nonce = SodiumRuntime.randomBytes(PromptEnvelope.nonceBytes)
        let ad = binding.associatedData(keyID: key.id)
        var payload = nonce + [UInt8](repeating: 0, count: paddedLength + PromptEnvelope.tagBytes)
        var cipherLength: UInt64 = 0
        let result = payload.withUnsafeMutableBufferPointer { out in
            key.promptKey.withKeyPointer { k in
                crypto_aead_xchacha20poly1305_ietf_encrypt(
                    out.baseAddress! + PromptEnvelope.nonceBytes, &cipherLength,
                    message, UInt64(paddedLength), ad, UInt64(ad.count), nil, nonce, k)
            }
        }
        precondition(result == 0 && Int(cipherLength) == paddedLength + PromptEnvelope.tagBytes,
                     "crypto_aead_xchacha20poly1305_ietf_encrypt failed")
        return PromptEnvelope(keyID: key.id, payload: payload)
    }

    static func open(_ envelope: PromptEnvelope, key: MasterKey,
                     binding: EnvelopeBinding) throws(PromptVaultError) -> String {
        let nonce = Array(envelope.payload.prefix(PromptEnvelope.nonceBytes))
        let cipher = Array(envelope.payload.dropFirst(PromptEnvelope.nonceBytes))
        let ad = binding.associatedData(keyID: envelope.keyID)
        var message = [UInt8](repeating: 0, count: cipher.count)
        var messageLength: UInt64 = 0
        let result = key.promptKey.withKeyPointer { k in
            crypto_aead_xchacha20poly1305_ietf_decrypt(
                &message, &messageLength, nil, cipher, UInt64(cipher.count), ad, UInt64(ad.count), nonce, k)
        }
        defer { SodiumRuntime.wipe(&message) }
        guard result == 0 else { throw .authenticationFailed(binding, keyID: envelope.keyID) }
        var unpadded = 0
        let unpadResult = message.withUnsafeBytes {
            sodium_unpad(&unpadded, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int(messageLength), paddingBlock)
        }
        guard unpadResult == 0 else { throw .invalidPadding(binding) }
        guard let text = String(validating: message.prefix(unpadded), as: UTF8.self) else {
            throw .notUTF8(binding)
        }
        return text
    }
}
