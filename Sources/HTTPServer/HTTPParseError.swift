/// Why a request was refused while its bytes were parsed, and which status answers it.
///
/// Every case is a framing or syntax violation after which the connection is closed: once the
/// parser and the peer disagree about where a message ends, nothing later on the wire can be trusted.
package enum HTTPParseError: Error, Hashable, CustomStringConvertible {
    // Lines and bytes
    case bareCarriageReturn
    case bareLineFeed
    case tooManyLeadingEmptyLines

    // Request line
    case malformedRequestLine
    case invalidMethod
    case methodTooLong(limit: Int)
    case invalidRequestTarget
    case unsupportedTargetForm
    case requestLineTooLong(limit: Int)
    case invalidVersion
    case unsupportedVersion(major: Int)

    // Header fields
    case obsoleteLineFolding
    case whitespaceBeforeColon
    case missingColon
    case invalidHeaderName
    case invalidHeaderValue
    case headerLineTooLong(limit: Int)
    case headerSectionTooLarge(limit: Int)
    case tooManyHeaders(limit: Int)
    case missingHost
    case duplicateHost
    case invalidHost
    case duplicateHeader(String)

    // Body framing
    case invalidContentLength
    case duplicateContentLength
    case contentLengthWithTransferEncoding
    case transferEncodingOnHTTP10
    case malformedTransferEncoding
    case chunkedNotFinal
    case unsupportedTransferCoding
    case unsupportedExpectation
    case bodyTooLarge(limit: Int)

    // Chunked body
    case invalidChunkSize
    case invalidChunkExtension
    case missingChunkDataTerminator
    case chunkLineTooLong(limit: Int)
    case chunkExtensionsTooLarge(limit: Int)
    case chunkOverheadTooLarge
    case invalidTrailer
    case trailerSectionTooLarge(limit: Int)

    /// The status this violation is answered with (`reference/http-server.md` §5).
    package var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: return .uriTooLong
        case .methodTooLong, .unsupportedTransferCoding: return .notImplemented
        case .unsupportedVersion: return .httpVersionNotSupported
        case .headerLineTooLong, .headerSectionTooLarge, .tooManyHeaders, .trailerSectionTooLarge:
            return .requestHeaderFieldsTooLarge
        case .bodyTooLarge, .chunkLineTooLong, .chunkExtensionsTooLarge, .chunkOverheadTooLarge:
            return .contentTooLarge
        case .unsupportedExpectation: return .expectationFailed
        default: return .badRequest
        }
    }

    /// A stable machine-readable code for the JSON error body.
    package var code: String {
        switch status.code {
        case 413: return "body_too_large"
        case 414: return "request_line_too_long"
        case 417: return "expectation_failed"
        case 431: return "headers_too_large"
        case 501: return "not_implemented"
        case 505: return "http_version_not_supported"
        default: return "bad_request"
        }
    }

    package var description: String {
        switch self {
        case .bareCarriageReturn: return "request contains a CR not followed by LF; end lines with CRLF"
        case .bareLineFeed: return "request line or header ends with a bare LF; end lines with CRLF"
        case .tooManyLeadingEmptyLines: return "too many empty lines before the request line"
        case .malformedRequestLine:
            return "malformed request line; expected 'METHOD SP /path SP HTTP/1.1' with single spaces"
        case .invalidMethod: return "request method is not a valid token"
        case .methodTooLong(let limit): return "request method longer than \(limit) bytes is not implemented"
        case .invalidRequestTarget:
            return "request target contains whitespace, control or non-ASCII bytes; percent-encode it"
        case .unsupportedTargetForm:
            return "only origin-form targets ('/path?query') are served; absolute and authority forms are refused"
        case .requestLineTooLong(let limit): return "request line longer than \(limit) bytes; shorten the URL"
        case .invalidVersion: return "HTTP version must be written 'HTTP/1.1' or 'HTTP/1.0'"
        case .unsupportedVersion(let major): return "HTTP major version \(major) is not supported; use HTTP/1.1"
        case .obsoleteLineFolding: return "header line starts with whitespace (obsolete line folding is refused)"
        case .whitespaceBeforeColon: return "whitespace between a header name and its colon is not allowed"
        case .missingColon: return "header line has no colon"
        case .invalidHeaderName: return "header name is empty or contains a non-token byte"
        case .invalidHeaderValue: return "header value contains a control byte (NUL, CR, LF or other)"
        case .headerLineTooLong(let limit): return "a header line is longer than \(limit) bytes"
        case .headerSectionTooLarge(let limit): return "request headers exceed \(limit) bytes; send fewer or smaller headers"
        case .tooManyHeaders(let limit): return "request has more than \(limit) header fields"
        case .missingHost: return "HTTP/1.1 request without a Host header"
        case .duplicateHost: return "request has more than one Host header"
        case .invalidHost: return "Host header value is not a valid host[:port]"
        case .duplicateHeader(let name): return "request repeats the \(name) header, which may appear once"
        case .invalidContentLength: return "Content-Length must be a non-negative decimal number"
        case .duplicateContentLength: return "request has more than one Content-Length"
        case .contentLengthWithTransferEncoding:
            return "request has both Content-Length and Transfer-Encoding; send only one"
        case .transferEncodingOnHTTP10: return "Transfer-Encoding is not allowed in an HTTP/1.0 request"
        case .malformedTransferEncoding: return "Transfer-Encoding value is not a valid list of codings"
        case .chunkedNotFinal: return "chunked must be the final transfer coding of a request"
        case .unsupportedTransferCoding: return "only the 'chunked' transfer coding is supported"
        case .unsupportedExpectation: return "only 'Expect: 100-continue' is supported"
        case .bodyTooLarge(let limit): return "request body exceeds \(limit) bytes"
        case .invalidChunkSize: return "chunk size is not 1 to 16 hexadecimal digits followed by CRLF"
        case .invalidChunkExtension: return "chunk extension is malformed"
        case .missingChunkDataTerminator: return "chunk data is not followed by CRLF (size and data disagree)"
        case .chunkLineTooLong(let limit): return "a chunk-size line is longer than \(limit) bytes"
        case .chunkExtensionsTooLarge(let limit): return "chunk extensions exceed \(limit) bytes"
        case .chunkOverheadTooLarge: return "chunked framing overhead is too large for the data carried"
        case .invalidTrailer: return "a trailer field of the chunked body is malformed"
        case .trailerSectionTooLarge(let limit): return "chunked trailer section exceeds \(limit) bytes"
        }
    }
}
