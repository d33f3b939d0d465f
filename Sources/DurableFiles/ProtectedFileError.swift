/// Why a file holding secrets (the key file, the secrets file) was refused. Each message names
/// the file, what is wrong and the command that fixes it.
public enum ProtectedFileError: Error, CustomStringConvertible, Equatable {
    case notFound(path: String, purpose: String)
    case unreadable(path: String, purpose: String, reason: String)
    case notRegularFile(path: String, purpose: String)
    /// Group or others can access the file: `mode` is the permission bits found.
    case tooPermissive(path: String, purpose: String, mode: UInt32)
    /// Someone else owns the file, so they could change it under us.
    case wrongOwner(path: String, purpose: String, owner: UInt32, expected: UInt32)
    case tooLarge(path: String, purpose: String, bytes: Int)

    public var description: String {
        switch self {
        case .notFound(let path, let purpose):
            return "the \(purpose) \(path) does not exist; create it with mode 0600 or unset the setting that points to it"
        case .unreadable(let path, let purpose, let reason):
            return "cannot read the \(purpose) \(path): \(reason)"
        case .notRegularFile(let path, let purpose):
            return "the \(purpose) \(path) is not a regular file"
        case .tooPermissive(let path, let purpose, let mode):
            return "the \(purpose) \(path) has mode \(Self.octal(mode)); it must be readable by its owner only (mode 0600): run `chmod 600 \(path)`"
        case .wrongOwner(let path, let purpose, let owner, let expected):
            return "the \(purpose) \(path) is owned by uid \(owner), not by the user running imagegen (uid \(expected)): run `chown \(expected) \(path)`"
        case .tooLarge(let path, let purpose, let bytes):
            return "the \(purpose) \(path) is \(bytes) bytes, which is not a key or secrets file (limit \(OwnerOnlyFile.sizeLimit) bytes)"
        }
    }

    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
