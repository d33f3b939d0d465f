/// A complete request as handed to a handler: the head has been validated, the body fully read
/// (and de-chunked) within the configured limits.
package struct HTTPRequest: Sendable {
    package var method: HTTPMethod
    /// The raw request-target, e.g. `/v1/images?tag=cat`.
    package var target: String
    /// The path part of the target, still percent-encoded, e.g. `/v1/images`.
    package var path: String
    /// Query items in order, percent-decoded.
    package var queryItems: [HTTPQueryItem]
    package var headers: HTTPHeaders
    package var body: [UInt8]
    /// The peer as `address:port` (`[v6]:port` for IPv6).
    package var remoteAddress: String
    package var version: HTTPVersion
    /// Values of `{name}` segments of the matched route, percent-decoded; set by `HTTPRouter`.
    package var pathParameters: [String: String]
    /// The configured name of the bearer token the request presented (never the token itself);
    /// nil when the server accepts requests without a token.
    package var bearerTokenName: String?

    package init(
        method: HTTPMethod, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        remoteAddress: String = "", version: HTTPVersion = .http1_1
    ) {
        self.method = method
        self.target = target
        let split = HTTPRequestTarget.split(target)
        self.path = split.path
        self.queryItems = split.query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.version = version
        self.pathParameters = [:]
        self.bearerTokenName = nil
    }

    /// The first value of query item `name`, if present.
    package func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// Every value of query item `name` (`?tag=a&tag=b`).
    package func queryValues(_ name: String) -> [String] {
        queryItems.filter { $0.name == name }.map(\.value)
    }

    /// The decoded value of route parameter `name` (`{id}` in `/v1/jobs/{id}`).
    package func pathParameter(_ name: String) -> String? {
        pathParameters[name]
    }
}
