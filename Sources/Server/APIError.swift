import Foundation
import HTTPServer
import ImagegenCore

/// An error answer of the API: status, stable code and a sentence that says what to do. Every
/// failure a handler meets is mapped here, so the codes stay consistent across endpoints.
struct APIError: Error, Sendable {
    var status: HTTPStatus
    var code: String
    var message: String
    /// Sent as `Retry-After` (a quota refusal says when its limit resets).
    var retryAfterSeconds: Int?

    init(_ status: HTTPStatus, _ code: String, _ message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    var response: HTTPResponse {
        var response = HTTPResponse.error(status, code: code, message: message)
        if let retryAfterSeconds { response.headers["Retry-After"] = String(max(1, retryAfterSeconds)) }
        return response
    }

    static func invalidRequest(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }

    /// Maps what a handler throws. An `APIError` is already an answer; an error that knows its
    /// meaning (`MeaningfulError`, conformed beside each domain error type) answers with the
    /// status of that meaning (`ErrorMeaning.httpStatus`, the table the CLI's exit codes share),
    /// its own code and message. Anything else is the server's fault: 500 `internal`, logged by
    /// `ServerAPI.answer`.
    static func from(_ error: any Error) -> APIError {
        if let e = error as? APIError { return e }
        if let e = error as? any MeaningfulError { return APIError(meaning: e.meaning, code: e.errorCode, message: e.callerMessage) }
        return APIError(meaning: .internal, code: "internal", message: "the server failed: \(error)")
    }

    init(meaning: ErrorMeaning, code: String, message: String) {
        self.init(HTTPStatus(code: meaning.httpStatus), code, message, retryAfterSeconds: meaning.retryAfterSeconds)
    }
}
