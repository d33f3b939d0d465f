/// What an encrypted value belongs to. It is authenticated as associated data, so a ciphertext
/// copied into another record or another field (say, one image's prompt pasted over another's,
/// or the negative prompt swapped with the prompt) fails to decrypt instead of being shown as
/// the wrong text.
public struct EnvelopeBinding: Sendable, Hashable, CustomStringConvertible {
    /// The record the value is stored in: the image id for catalog rows and sidecars.
    public let record: String
    /// The field name: `prompt`, `negative_prompt`, …
    public let field: String

    public init(record: String, field: String) {
        self.record = record
        self.field = field
    }

    public static func prompt(of record: String) -> EnvelopeBinding {
        EnvelopeBinding(record: record, field: "prompt")
    }

    public static func negativePrompt(of record: String) -> EnvelopeBinding {
        EnvelopeBinding(record: record, field: "negative_prompt")
    }

    public var description: String { "\(field) of \(record)" }

    /// Length-prefixed so no choice of record and field can collide with another.
    func associatedData(keyID: KeyID) -> [UInt8] {
        var out = Array("imagegen.envelope.v1".utf8)
        for part in [keyID.rawValue, record, field] {
            let bytes = Array(part.utf8)
            out.append(contentsOf: Array("|\(bytes.count):".utf8))
            out.append(contentsOf: bytes)
        }
        return out
    }
}
