/// Why S3 credentials could not be loaded. Messages name the variable or file and the fix; they never
/// contain a secret.
package enum S3CredentialsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One of AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY is set without the other.
    case incompleteEnvironment(missing: String)
    case fileNotFound(path: String)
    /// The file can be read or written by group or others.
    case fileTooOpen(path: String, mode: String)
    case notARegularFile(path: String)
    case unreadableFile(path: String, reason: String)
    case profileNotFound(path: String, profile: String)
    case missingField(path: String, profile: String, field: String)
    /// Neither the environment nor a credentials file provides credentials.
    case notConfigured(file: String?)

    package var description: String {
        switch self {
        case let .incompleteEnvironment(missing):
            return "S3 credentials in the environment are incomplete: \(missing) is not set. Set both AWS_ACCESS_KEY_ID "
                + "and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or neither."
        case let .fileNotFound(path):
            return "S3 credentials file \(path) does not exist. Create it (mode 600) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
        case let .fileTooOpen(path, mode):
            return "S3 credentials file \(path) is accessible by other users (mode \(mode)); refusing to use it. "
                + "Run `chmod 600 \(path)`."
        case let .notARegularFile(path):
            return "S3 credentials file \(path) is not a regular file."
        case let .unreadableFile(path, reason):
            return "cannot read S3 credentials file \(path): \(reason)."
        case let .profileNotFound(path, profile):
            return "S3 credentials file \(path) has no [\(profile)] section."
        case let .missingField(path, profile, field):
            return "S3 credentials file \(path), section [\(profile)], has no \(field) line."
        case let .notConfigured(file):
            let fileHint = file.map { " or in \($0)" } ?? ""
            return "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment\(fileHint) "
                + "(a file must have mode 600)."
        }
    }
}
