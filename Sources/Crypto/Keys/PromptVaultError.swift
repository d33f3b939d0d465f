/// Why a prompt could not be encrypted or decrypted. Messages name the record and field, never
/// the prompt or the key.
public enum PromptVaultError: Error, CustomStringConvertible, Equatable {
    /// No master key is configured: the host lists everything but cannot read or write prompts.
    case locked
    case notAnEnvelope(EnvelopeBinding)
    case unsupportedVersion(EnvelopeBinding, version: String)
    case malformedEnvelope(EnvelopeBinding, reason: String)
    /// The envelope names a key that is not in the ring.
    case unknownKey(EnvelopeBinding, keyID: KeyID, available: [KeyID])
    /// The tag did not verify: the ciphertext was changed, or it belongs to another record/field.
    case authenticationFailed(EnvelopeBinding, keyID: KeyID)
    case invalidPadding(EnvelopeBinding)
    case notUTF8(EnvelopeBinding)

    public var description: String {
        switch self {
        case .locked:
            return "prompts are encrypted; set \(KeyRingLoader.keyVariable) (32 bytes, base64 or hex) or \(KeyRingLoader.keyFileVariable) (a mode 0600 file) to read or write them"
        case .notAnEnvelope(let binding):
            return "the \(binding) is not an encrypted envelope (expected 'enc:v1:…'); run `imagegen keys rotate` to encrypt plaintext prompts"
        case .unsupportedVersion(let binding, let version):
            return "the \(binding) uses envelope version '\(version)', which this imagegen does not know; upgrade imagegen"
        case .malformedEnvelope(let binding, let reason):
            return "the envelope in the \(binding) is malformed: \(reason)"
        case .unknownKey(let binding, let keyID, let available):
            return "the \(binding) was encrypted with key \(keyID), which is not in the key ring (\(available.map(\.rawValue).joined(separator: ", "))); add that key as a previous key (\(KeyRingLoader.previousKeysVariable) or a later line of the key file)"
        case .authenticationFailed(let binding, let keyID):
            return "the \(binding) failed authentication with key \(keyID): the ciphertext was modified or belongs to another record or field"
        case .invalidPadding(let binding):
            return "the \(binding) decrypted but its padding is invalid"
        case .notUTF8(let binding):
            return "the \(binding) decrypted to bytes that are not UTF-8"
        }
    }
}
