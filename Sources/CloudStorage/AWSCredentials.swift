/// An access key pair (and optional session token) for SigV4.
///
/// The secret is needed to sign and for nothing else: `description` and `debugDescription` show only the
/// access key id, so a credentials value that ends up in a log line or an error message leaks nothing.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    /// Present for temporary (STS) credentials; sent and signed as `x-amz-security-token`.
    public let sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = (sessionToken?.isEmpty ?? true) ? nil : sessionToken
    }

    public var description: String {
        "access key \(accessKeyID)" + (sessionToken == nil ? "" : " (with session token)")
    }

    public var debugDescription: String { "AWSCredentials(\(description), secret redacted)" }
}
