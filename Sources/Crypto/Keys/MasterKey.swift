import Foundation
import CSodium

/// A 32-byte master key and the subkeys derived from it.
///
/// The key bytes live in `SecretBytes` (guarded, zeroed on release). `description`, `dump()` and
/// test failure messages show only the key id, never the key.
public struct MasterKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let byteCount = 32

    public let id: KeyID
    let secret: SecretBytes
    let promptKey: SecretBytes
    public let auditKey: SecretBytes
    let searchKey: SecretBytes

    /// Builds a key from raw bytes (exactly 32, not all the same byte).
    public init(bytes: [UInt8]) throws {
        if let problem = Self.problem(with: bytes) {
            throw MasterKeyError.invalidKey(source: "the key bytes", problem: problem)
        }
        self.init(validated: SecretBytes(copying: bytes))
    }

    private init(validated secret: SecretBytes) {
        SodiumRuntime.ensureReady()
        self.secret = secret
        self.id = Self.deriveID(secret)
        self.promptKey = Self.derive(.promptEncryption, from: secret)
        self.auditKey = Self.derive(.auditMAC, from: secret)
        self.searchKey = Self.derive(.searchIndex, from: secret)
    }

    /// Parses a key written as 64 hex digits or as base64 (standard or URL-safe, padded or
    /// not) of 32 bytes. `source` names where the text came from (an environment variable or
    /// a file and line) for the error message; the text itself is never repeated in errors.
    public init(encoded text: String, source: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes = try Self.decode(trimmed, source: source)
        defer { SodiumRuntime.wipe(&bytes) }
        if let problem = Self.problem(with: bytes) {
            throw MasterKeyError.invalidKey(source: source, problem: problem)
        }
        self.init(validated: SecretBytes(copying: bytes))
    }

    /// What makes these bytes unusable as a key, or nil. A key of one repeated byte (all
    /// zeros, typically) is a placeholder someone forgot to replace, not a secret.
    private static func problem(with bytes: [UInt8]) -> String? {
        if bytes.count != byteCount {
            return "is \(bytes.count) bytes; a master key is exactly 32 bytes"
        }
        if Set(bytes).count == 1 {
            return "repeats a single byte value, which is a placeholder, not a random key"
        }
        return nil
    }

    /// A fresh random key (for `imagegen keys generate`).
    public static func generate() -> MasterKey {
        var bytes = SodiumRuntime.randomBytes(byteCount)
        defer { SodiumRuntime.wipe(&bytes) }
        return MasterKey(validated: SecretBytes(copying: bytes))
    }

    /// The key in standard base64, for writing a new key to a 0600 file once. Never log it.
    public func exportBase64() -> String {
        var bytes = secret.copiedBytes()
        defer { SodiumRuntime.wipe(&bytes) }
        return SodiumEncoding.base64(bytes)
    }

    /// Every text form of this key that could leak into a log line, for `SecretRedactor`.
    public var textEncodings: [String] {
        var bytes = secret.copiedBytes()
        defer { SodiumRuntime.wipe(&bytes) }
        let hex = SodiumEncoding.hex(bytes)
        return [hex, hex.uppercased(),
                SodiumEncoding.base64(bytes, variant: .original),
                SodiumEncoding.base64(bytes, variant: .originalNoPadding),
                SodiumEncoding.base64(bytes, variant: .urlSafe),
                SodiumEncoding.base64(bytes, variant: .urlSafeNoPadding)]
    }

    public var description: String { "MasterKey(id: \(id))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["id": id.rawValue]) }

    // MARK: - Derivation

    private static let keyIDMessage = Array("imagegen.key-id.v1".utf8)

    /// Keyed BLAKE2b of a constant: without the key nobody can compute (or forge) the id, and
    /// the 32-bit prefix reveals nothing about the key.
    private static func deriveID(_ secret: SecretBytes) -> KeyID {
        let digest = GenericHash.hash(keyIDMessage, length: 32, key: secret)
        return KeyID(rawValue: SodiumEncoding.hex(digest.prefix(4)))!
    }

    private static func derive(_ purpose: SubkeyPurpose, from secret: SecretBytes) -> SecretBytes {
        SecretBytes(count: 32) { out in
            secret.withKeyPointer { master in
                SubkeyPurpose.context.withCString { ctx in
                    _ = crypto_kdf_derive_from_key(out.baseAddress!.assumingMemoryBound(to: UInt8.self), 32,
                                                   purpose.rawValue, ctx, master)
                }
            }
        }
    }

    private static func decode(_ text: String, source: String) throws -> [UInt8] {
        guard !text.isEmpty else {
            throw MasterKeyError.invalidKey(source: source, problem: "is empty")
        }
        let isHexAlphabet = text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) }
        if isHexAlphabet, text.utf8.count == 64, let bytes = SodiumEncoding.decodeHex(text) {
            return bytes
        }
        if let bytes = SodiumEncoding.decodeAnyBase64(text) {
            if bytes.count == byteCount { return bytes }
            var copy = bytes
            SodiumRuntime.wipe(&copy)
            if isHexAlphabet {
                throw MasterKeyError.invalidKey(
                    source: source,
                    problem: "has \(text.utf8.count) hex digits; a 32-byte key is 64 hex digits (or 44 base64 characters)")
            }
            throw MasterKeyError.invalidKey(
                source: source,
                problem: "is base64 of \(bytes.count) bytes; a master key is exactly 32 bytes (44 base64 characters with padding, or 64 hex digits)")
        }
        if isHexAlphabet {
            throw MasterKeyError.invalidKey(
                source: source,
                problem: "has \(text.utf8.count) hex digits; a 32-byte key is 64 hex digits")
        }
        throw MasterKeyError.invalidKey(
            source: source,
            problem: "is neither 64 hex digits nor base64 of 32 bytes (\(text.utf8.count) characters, some outside both alphabets)")
    }
}
