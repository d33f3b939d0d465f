import Crypto
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
        hex = String(SHA256Digest.of(bytes).hex.prefix(Self.length))
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
