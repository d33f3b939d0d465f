import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Turns an HTTP error response or a transport failure into a typed `S3Error`.
///
/// S3 puts `<Error><Code>…</Code><Message>…</Message></Error>` in the body of every failed response
/// except HEAD's. The code, not the status, decides the case: a 403 can be a wrong secret, an unknown
/// key, an expired token, a denied action or a skewed clock, and each needs a different fix.
struct S3ErrorClassifier {
    var accessKeyID: String
    var bucket: String
    var region: String
    var endpoint: String
    var timeout: TimeInterval

    func error(status: Int, body: Data, operation: String, key: String?) -> S3Error {
        let document = S3XMLDocument(data: body)
        let code = document?.root == "Error" ? document?.first("Code") : nil
        let message = document?.root == "Error" ? document?.first("Message") : nil
        return error(status: status, code: code, message: message, operation: operation, key: key)
    }

    func error(status: Int, code: String?, message: String?, operation: String, key: String?) -> S3Error {
        switch code {
        case "SignatureDoesNotMatch":
            return .signatureDoesNotMatch(accessKeyID: accessKeyID, operation: operation)
        case "InvalidAccessKeyId", "InvalidClientTokenId":
            return .invalidAccessKeyID(accessKeyID: accessKeyID, operation: operation)
        case "ExpiredToken", "InvalidToken", "TokenRefreshRequired":
            return .expiredCredentials(accessKeyID: accessKeyID, operation: operation)
        case "AccessDenied", "AllAccessDisabled", "AccountProblem":
            return .accessDenied(accessKeyID: accessKeyID, operation: operation)
        case "RequestTimeTooSkewed":
            return .clockSkewed(operation: operation)
        case "AuthorizationHeaderMalformed", "PermanentRedirect", "TemporaryRedirect", "IllegalLocationConstraintException":
            return .wrongRegion(configuredRegion: region, operation: operation, message: message ?? code ?? "")
        case "NoSuchBucket":
            return .noSuchBucket(bucket: bucket, operation: operation)
        case "NoSuchKey":
            return .noSuchKey(bucket: bucket, key: key ?? "")
        case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests",
             "TooManyRequestsException", "RequestThrottled":
            return .throttled(operation: operation, status: status, code: code ?? "SlowDown")
        case "InternalError", "RequestTimeout", "ServiceUnavailable", "OperationAborted":
            return .serverError(operation: operation, status: status, code: code, message: message)
        case "XAmzContentSHA256Mismatch", "BadDigest", "InvalidDigest":
            return .checksumMismatch(operation: operation, expected: "the digest we sent",
                                     actual: "a different body (\(code ?? ""))")
        default:
            break
        }
        switch status {
        case 429:
            return .throttled(operation: operation, status: status, code: code ?? "SlowDown")
        case 503 where code == nil:
            return .throttled(operation: operation, status: status, code: "SlowDown")
        case 500...599:
            return .serverError(operation: operation, status: status, code: code, message: message)
        case 404 where key != nil && code == nil:
            return .noSuchKey(bucket: bucket, key: key!)
        case 403 where code == nil:
            return .accessDenied(accessKeyID: accessKeyID, operation: operation)
        default:
            return .requestFailed(operation: operation, status: status, code: code, message: message)
        }
    }

    func error(transport: any Error, operation: String) -> S3Error {
        guard let urlError = transport as? URLError else {
            return .connectionFailed(operation: operation, endpoint: endpoint, reason: String(describing: transport), retryable: false)
        }
        switch urlError.code {
        case .timedOut:
            return .timedOut(operation: operation, seconds: timeout)
        case .networkConnectionLost, .cannotConnectToHost, .notConnectedToInternet, .dnsLookupFailed,
             .cannotLoadFromNetwork, .badServerResponse:
            return .connectionFailed(operation: operation, endpoint: endpoint,
                                     reason: Self.reason(urlError), retryable: true)
        default:
            return .connectionFailed(operation: operation, endpoint: endpoint,
                                     reason: Self.reason(urlError), retryable: false)
        }
    }

    private static func reason(_ error: URLError) -> String {
        switch error.code {
        case .cannotConnectToHost: return "connection refused"
        case .networkConnectionLost: return "the connection was dropped"
        case .cannotFindHost, .dnsLookupFailed: return "the host name does not resolve"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate:
            return "TLS failed (\(error.localizedDescription))"
        default: return "URLError \(error.code.rawValue) (\(error.localizedDescription))"
        }
    }
}
