import CSodium
import Foundation

/// A template's version: the first 12 hex digits of the SHA-256 of its canonical JSON.
///
/// A content hash rather than a counter, so the same text always has the same version on every machine,
/// editing a file yields a new version without anyone bumping a number, and reverting an edit returns to
/// the old version. 48 bits make an accidental collision among one template's versions negligible.
public struct TemplateVersion: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public static let length = 12

    public let hex: String

    /// Accepts a stored version string; nil unless it is exactly 12 lowercase hex digits.
    public init?(hex: String) {
        guard hex.count == Self.length, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.hex = hex
    }

    /// The version of `bytes` (the canonical JSON of a template).
    init(hashing bytes: [UInt8]) {
        _ = sodium_init()
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = digest.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in
                crypto_hash_sha256(out.baseAddress!, input.baseAddress, UInt64(input.count))
            }
        }
        let prefix = Array(digest.prefix(Self.length / 2))
        var text = [CChar](repeating: 0, count: prefix.count * 2 + 1)
        _ = text.withUnsafeMutableBufferPointer { out in
            prefix.withUnsafeBufferPointer { input in
                sodium_bin2hex(out.baseAddress!, out.count, input.baseAddress, input.count)
            }
        }
        hex = String(decoding: text.prefix(prefix.count * 2).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String { hex }

    public static func < (lhs: TemplateVersion, rhs: TemplateVersion) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = TemplateVersion(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "'\(text)' is not a template version (12 lowercase hex digits)"))
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
