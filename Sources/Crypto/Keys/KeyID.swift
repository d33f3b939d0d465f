/// The name of a master key as it appears in envelopes and audit entries: the first 8 hex digits
/// of a BLAKE2b hash keyed with the key itself (see `MasterKey`). It identifies a key without
/// revealing anything usable about it, so an envelope can say which key opens it and rotation
/// can tell old envelopes from current ones.
public struct KeyID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// Accepts exactly 8 lowercase hex digits.
    public init?(rawValue: String) {
        guard rawValue.utf8.count == 8,
              rawValue.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public static func < (a: KeyID, b: KeyID) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = KeyID(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "'\(text)' is not an 8-hex-digit key id"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
