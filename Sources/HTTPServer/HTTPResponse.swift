import Foundation

/// What a handler answers. The server adds the framing headers itself (`Content-Length`,
/// `Connection`, `Date`); values a handler puts there are replaced.
package struct HTTPResponse: Sendable {
    package var status: HTTPStatus
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// A body written over time (server-sent events) instead of `body`: sent without
    /// `Content-Length`, and the connection closes when it ends.
    package var stream: HTTPBodyStream?

    package init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A streamed response (see `HTTPBodyStream`).
    package init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), stream: HTTPBodyStream) {
        self.status = status
        self.headers = headers
        self.body = []
        self.stream = stream
    }

    /// A JSON body encoded from `value`. If encoding fails, a 500 with the error shape instead,
    /// so a handler never has to deal with an encoder error.
    package static func json<Value: Encodable>(
        _ value: Value, status: HTTPStatus = .ok, encoder: JSONEncoder = HTTPResponse.defaultEncoder
    ) -> HTTPResponse {
        do {
            return json(bytes: Array(try encoder.encode(value)), status: status)
        } catch {
            return .error(.internalServerError, code: "encoding_failed",
                          message: "the server could not encode its response as JSON")
        }
    }

    /// A body that already is JSON text.
    package static func json(bytes: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: bytes)
    }

    /// A plain-text body (e.g. the Prometheus exposition format with its own content type).
    package static func text(
        _ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8"
    ) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// The API's error shape: `{ "error": { "code": code, "message": message } }`.
    package static func error(_ status: HTTPStatus, code: String, message: String) -> HTTPResponse {
        json(HTTPErrorBody(code: code, message: message), status: status)
    }

    package static let noContent = HTTPResponse(status: .noContent)

    /// Sorted keys make bodies stable for tests and caches; slashes stay readable in paths.
    package static var defaultEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
