/// The request line and header section of one request, with its framing already decided.
struct HTTPRequestHead: Sendable {
    var method: HTTPMethod
    /// The raw request-target (origin-form `/path?query`, or `*` for OPTIONS).
    var target: String
    var version: HTTPVersion
    var headers: HTTPHeaders
    var framing: HTTPBodyFraming
    /// The client sent `Expect: 100-continue` with a body: send the interim response before reading it.
    var expectsContinue: Bool
    /// Whether the connection may carry another request after this one (RFC 9112 §9.3).
    var keepAlive: Bool
}
