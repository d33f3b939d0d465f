import Foundation

/// Everything that can go wrong talking to S3, each with a message that names the object or setting and
/// says what to do. No case ever carries the secret key: only the access key id identifies credentials.
package enum S3Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// `SignatureDoesNotMatch`: the secret does not belong to the access key (or region/clock are off).
    case signatureDoesNotMatch(accessKeyID: String, operation: String)
    /// `InvalidAccessKeyId`: the store does not know this access key.
    case invalidAccessKeyID(accessKeyID: String, operation: String)
    /// `ExpiredToken`/`InvalidToken`: temporary credentials have expired or are malformed.
    case expiredCredentials(accessKeyID: String, operation: String)
    /// `AccessDenied` (or a bare 403): the key is valid but lacks permission.
    case accessDenied(accessKeyID: String, operation: String)
    /// `RequestTimeTooSkewed`: the local clock is more than 15 minutes off.
    case clockSkewed(operation: String)
    /// `AuthorizationHeaderMalformed`/`PermanentRedirect`: the bucket lives in another region or endpoint.
    case wrongRegion(configuredRegion: String, operation: String, message: String)
    case noSuchBucket(bucket: String, operation: String)
    case noSuchKey(bucket: String, key: String)
    /// `SlowDown`, `Throttling`, 429: retryable after back-off.
    case throttled(operation: String, status: Int, code: String)
    /// 5xx (and `InternalError`, `RequestTimeout`): retryable.
    case serverError(operation: String, status: Int, code: String?, message: String?)
    /// No response within the configured timeout: retryable.
    case timedOut(operation: String, seconds: TimeInterval)
    /// The connection failed (refused, dropped, DNS). `retryable` is false when retrying cannot help.
    case connectionFailed(operation: String, endpoint: String, reason: String, retryable: Bool)
    /// Any other error response.
    case requestFailed(operation: String, status: Int, code: String?, message: String?)
    /// The bytes stored are not the bytes we have (or the server reported a digest mismatch).
    case checksumMismatch(operation: String, expected: String, actual: String)
    /// The server answered something we could not interpret.
    case malformedResponse(operation: String, reason: String)
    case invalidConfiguration(String)
    /// The request itself is unusable (e.g. metadata over the 2 KB limit); fix the caller.
    case invalidRequest(String)
    case localFile(path: String, reason: String)
    /// The task was cancelled before the operation finished.
    case cancelled(operation: String)

    /// Whether repeating the same request later can succeed.
    package var isRetryable: Bool {
        switch self {
        case .throttled, .serverError, .timedOut: return true
        case .connectionFailed(_, _, _, let retryable): return retryable
        default: return false
        }
    }

    package var description: String {
        switch self {
        case let .signatureDoesNotMatch(id, op):
            return "S3 rejected the signature of \(op) (SignatureDoesNotMatch): the secret key is wrong for access key \(id). "
                + "Check AWS_SECRET_ACCESS_KEY or the credentials file; if the secret is right, check the region and the clock."
        case let .invalidAccessKeyID(id, op):
            return "S3 does not know access key \(id) (InvalidAccessKeyId, \(op)). Check AWS_ACCESS_KEY_ID or the credentials "
                + "file, and that the endpoint is the store the key was issued for."
        case let .expiredCredentials(id, op):
            return "the session token for access key \(id) has expired or is invalid (\(op)). Refresh the temporary credentials "
                + "(AWS_SESSION_TOKEN) or use a long-lived key."
        case let .accessDenied(id, op):
            return "S3 denied \(op) to access key \(id) (AccessDenied). Grant the key s3:PutObject, s3:GetObject and "
                + "s3:ListBucket (plus multipart actions) on the bucket, or use another key."
        case let .clockSkewed(op):
            return "S3 refused \(op) because this machine's clock differs from the server's by more than 15 minutes "
                + "(RequestTimeTooSkewed). Synchronise the clock (e.g. enable NTP)."
        case let .wrongRegion(region, op, message):
            return "S3 refused \(op): the bucket is not in region \(region) or not at this endpoint (\(message)). "
                + "Set the storage region/endpoint to the bucket's."
        case let .noSuchBucket(bucket, op):
            return "bucket '\(bucket)' does not exist at this endpoint (\(op)). Create it, or fix the bucket name or endpoint."
        case let .noSuchKey(bucket, key):
            return "object s3://\(bucket)/\(key) does not exist."
        case let .throttled(op, status, code):
            return "S3 is throttling requests (\(code), HTTP \(status)) during \(op); retried with back-off. "
                + "If this persists, lower the upload concurrency."
        case let .serverError(op, status, code, message):
            return "S3 server error HTTP \(status)\(Self.detail(code, message)) during \(op); it is retried with back-off. "
                + "If it persists, check the store's status."
        case let .timedOut(op, seconds):
            return "\(op) got no response within \(Self.formatSeconds(seconds)) s; it is retried with back-off. "
                + "Check the network or raise the storage request timeout."
        case let .connectionFailed(op, endpoint, reason, _):
            return "cannot reach the S3 endpoint \(endpoint) for \(op): \(reason). Check the endpoint setting and the network."
        case let .requestFailed(op, status, code, message):
            return "S3 refused \(op) with HTTP \(status)\(Self.detail(code, message))."
        case let .checksumMismatch(op, expected, actual):
            return "checksum mismatch for \(op): expected \(expected), the store has \(actual). The object was not "
                + "stored intact; it will be uploaded again."
        case let .malformedResponse(op, reason):
            return "S3 answered \(op) with something unexpected: \(reason)."
        case let .invalidConfiguration(reason):
            return "storage configuration: \(reason)"
        case let .invalidRequest(reason):
            return "invalid S3 request: \(reason)"
        case let .localFile(path, reason):
            return "local file \(path): \(reason)"
        case let .cancelled(op):
            return "\(op) was cancelled."
        }
    }

    private static func detail(_ code: String?, _ message: String?) -> String {
        switch (code, message) {
        case let (code?, message?): return " \(code): \(message)"
        case let (code?, nil): return " \(code)"
        case let (nil, message?): return ": \(message)"
        default: return ""
        }
    }

    private static func formatSeconds(_ seconds: TimeInterval) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
