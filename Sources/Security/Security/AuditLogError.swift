/// Why the audit log could not be opened or appended to.
package enum AuditLogError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    /// The last complete line is not a valid entry, so the chain cannot be continued.
    case unreadableTail(path: String, reason: String)

    package var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the audit log \(path): \(reason)"
        case .writeFailed(let path, let reason):
            return "cannot append to the audit log \(path): \(reason); the action was not recorded"
        case .unreadableTail(let path, let reason):
            return "the last entry of the audit log \(path) is unreadable (\(reason)); run `imagegen audit verify` and move the damaged log aside before starting a new one"
        }
    }
}
