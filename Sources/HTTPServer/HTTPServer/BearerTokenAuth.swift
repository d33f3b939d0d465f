/// Bearer-token authentication for the API (`Authorization: Bearer <token>`).
///
/// The server applies it to every request as soon as the head has arrived — before any body is
/// read — when a token is configured; `wrap(_:)` offers the same check as handler middleware.
public struct BearerTokenAuth: Sendable {
    public let token: BearerToken

    public init(token: BearerToken) {
        self.token = token
    }

    /// True when `headers` carry exactly one `Authorization` field with the right bearer token.
    public func authorizes(_ headers: HTTPHeaders) -> Bool {
        let values = headers.values(for: "Authorization")
        guard values.count == 1 else { return false }
        let credential = Array(values[0].utf8)
        // "Bearer" (any case), one or more spaces, then the token68.
        let scheme = credential.prefix(6)
        guard scheme.count == 6, HTTPGrammar.equalsIgnoringCase(scheme, "bearer") else { return false }
        let rest = credential.dropFirst(6)
        guard let first = rest.first, first == HTTPGrammar.space else { return false }
        let presented = rest.drop { $0 == HTTPGrammar.space }
        guard !presented.isEmpty else { return false }
        return token.matches(presented)
    }

    /// The 401 answer: error shape plus the `WWW-Authenticate` challenge (RFC 6750 §3).
    public static var rejection: HTTPResponse {
        var response = HTTPResponse.error(
            .unauthorized, code: "unauthorized",
            message: "missing or invalid bearer token; send 'Authorization: Bearer <token>' with the server's API token")
        response.headers["WWW-Authenticate"] = "Bearer realm=\"imagegen\""
        return response
    }

    /// `handler`, guarded: requests without the right token get `rejection`.
    public func wrap(_ handler: @escaping HTTPHandler) -> HTTPHandler {
        let auth = self
        return { request in
            auth.authorizes(request.headers) ? await handler(request) : BearerTokenAuth.rejection
        }
    }
}
