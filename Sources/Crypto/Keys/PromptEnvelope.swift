/// The stored form of an encrypted prompt: `enc:v1:<key id>:<base64(nonce || ciphertext)>`.
///
/// It is plain ASCII without quotes, backslashes or control characters, so it can sit in a JSON
/// sidecar or a SQLite TEXT column unchanged, and the key id up front lets rotation find old
/// envelopes with a prefix query (`WHERE prompt NOT LIKE 'enc:v1:<current>:%'`).
public struct PromptEnvelope: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "enc:"
    public static let version = "v1"
    static let nonceBytes = 24
    static let tagBytes = 16

    public let keyID: KeyID
    /// 24-byte nonce followed by the ciphertext and its 16-byte tag.
    let payload: [UInt8]

    init(keyID: KeyID, payload: [UInt8]) {
        self.keyID = keyID
        self.payload = payload
    }

    /// True if the text has the envelope shape (it may still fail to parse or decrypt).
    public static func looksLikeEnvelope(_ text: String) -> Bool {
        text.hasPrefix(prefix)
    }

    /// Parses the envelope text; the error names the binding but never the text (which, if it
    /// is not an envelope, may be a plaintext prompt).
    public init(parsing text: String, binding: EnvelopeBinding) throws(PromptVaultError) {
        guard Self.looksLikeEnvelope(text) else { throw .notAnEnvelope(binding) }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4 else {
            throw .malformedEnvelope(binding, reason: "expected 4 ':'-separated parts, found \(parts.count)")
        }
        guard parts[1] == Self.version else {
            throw .unsupportedVersion(binding, version: String(parts[1]))
        }
        guard let id = KeyID(rawValue: String(parts[2])) else {
            throw .malformedEnvelope(binding, reason: "the key id is not 8 hex digits")
        }
        guard let payload = SodiumEncoding.decodeBase64(String(parts[3]), variant: .original) else {
            throw .malformedEnvelope(binding, reason: "the payload is not valid base64")
        }
        guard payload.count >= Self.nonceBytes + Self.tagBytes else {
            throw .malformedEnvelope(binding, reason: "the payload is \(payload.count) bytes, shorter than nonce and tag")
        }
        self.keyID = id
        self.payload = payload
    }

    public var text: String {
        "\(Self.prefix)\(Self.version):\(keyID.rawValue):\(SodiumEncoding.base64(payload))"
    }

    public var description: String { text }
}
