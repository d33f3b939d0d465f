import Foundation

/// Why a request body could not be read as the JSON a handler expects. `response` is the 4xx
/// to send back, in the API's error shape.
package enum HTTPJSONBodyError: Error, CustomStringConvertible {
    case emptyBody
    case unsupportedContentType(String)
    case invalidJSON(String)

    package var description: String {
        switch self {
        case .emptyBody: return "request body is empty; send a JSON object"
        case .unsupportedContentType(let type):
            return "Content-Type '\(type)' is not JSON; send 'Content-Type: application/json'"
        case .invalidJSON(let detail): return "request body is not valid JSON for this endpoint: \(detail)"
        }
    }

    package var response: HTTPResponse {
        switch self {
        case .emptyBody, .invalidJSON: return .error(.badRequest, code: "invalid_json", message: description)
        case .unsupportedContentType:
            return .error(.unsupportedMediaType, code: "unsupported_media_type", message: description)
        }
    }
}

extension HTTPRequest {
    /// Decodes the body as JSON. A missing Content-Type is accepted; any other than
    /// `application/json` (or `…+json`) is refused with 415.
    package func decodeJSON<Value: Decodable>(
        _ type: Value.Type, decoder: JSONDecoder = JSONDecoder()
    ) throws(HTTPJSONBodyError) -> Value {
        if let contentType = headers["Content-Type"] {
            let mediaType = contentType.split(separator: ";", maxSplits: 1).first
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                throw .unsupportedContentType(contentType)
            }
        }
        guard !body.isEmpty else { throw .emptyBody }
        // Strict RFC 8259 first: the decoder alone accepts trailing commas and more.
        do throws(StrictJSONSyntax.Violation) {
            try StrictJSONSyntax.check(body)
        } catch {
            throw .invalidJSON(error.description)
        }
        do {
            return try decoder.decode(type, from: Data(body))
        } catch let error as DecodingError {
            throw .invalidJSON(Self.summary(of: error))
        } catch {
            throw .invalidJSON("unreadable body")
        }
    }

    /// A short, path-qualified reason that never echoes the body back.
    private static func summary(of error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "body" : keys.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context): return "malformed JSON at \(path(context))"
        case .keyNotFound(let key, let context): return "missing field '\(key.stringValue)' in \(path(context))"
        case .typeMismatch(_, let context): return "wrong type at \(path(context))"
        case .valueNotFound(_, let context): return "null or missing value at \(path(context))"
        @unknown default: return "unreadable body"
        }
    }
}
