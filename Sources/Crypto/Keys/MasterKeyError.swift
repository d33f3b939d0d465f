import DurableFiles
/// Why no usable key ring could be built. Messages name the source and the fix, never the key.
public enum MasterKeyError: Error, CustomStringConvertible, Equatable {
    /// The key text or bytes are unusable; `problem` describes the shape, not the content.
    case invalidKey(source: String, problem: String)
    /// Both the environment key and a key file are configured, so which one is current is ambiguous.
    case conflictingSources(file: String)
    /// The same key appears twice in the ring (e.g. current and previous are equal).
    case duplicateKey(KeyID, source: String)
    /// The key file exists but holds no key line.
    case emptyKeyFile(path: String)
    /// The key file is missing, unreadable or too permissive.
    case keyFile(ProtectedFileError)

    public var description: String {
        switch self {
        case .invalidKey(let source, let problem):
            return "\(source) \(problem). Generate a key with `imagegen keys generate` and set it as 32 random bytes in base64 (44 characters) or hex (64 digits)."
        case .conflictingSources(let file):
            return "both \(KeyRingLoader.keyVariable) and the key file \(file) are configured; keep only one so the current key is unambiguous"
        case .duplicateKey(let id, let source):
            return "key \(id) appears twice in the key ring (\(source)); remove the duplicate (previous keys must differ from the current key)"
        case .emptyKeyFile(let path):
            return "the key file \(path) contains no key; its first non-comment line must be the current key (base64 or hex of 32 bytes)"
        case .keyFile(let error):
            return error.description
        }
    }
}
