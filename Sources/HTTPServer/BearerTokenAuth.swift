/// Bearer-token authentication for the API (`Authorization: Bearer <token>`).
///
/// The server applies it to every request as soon as the head has arrived — before any body is
/// read — when a token is configured; `wrap(_:)` offers the same check as handler middleware.
/// Several tokens may be accepted, each under a *name*: `holder(of:)` says which one a request
/// presented, so quotas and audit entries can follow the holder without ever seeing the secret.
package struct BearerTokenAuth: Sendable {
    /// The name a lone token (`init(token:)`, `HTTPServerConfiguration.token`) is known by.
    package static let defaultName = "api"

    /// Accepted tokens by name.
    package let tokens: [String: BearerToken]

    package init(token: BearerToken) {
        self.init(tokens: [Self.defaultName: token])
    }

    package init(tokens: [String: BearerToken]) {
        self.tokens = tokens
    }

    /// True when `headers` carry exactly one `Authorization` field with an accepted bearer token.
    package func authorizes(_ headers: HTTPHeaders) -> Bool {
        holder(of: headers) != nil
    }

    /// The name of the token `headers` present, or nil when none (or a wrong one) is presented.
    /// Every accepted token is compared, so the time taken does not say which one matched.
    package func holder(of headers: HTTPHeaders) -> String? {
        let values = headers.values(for: "Authorization")
        guard values.count == 1 else { return nil }
        let credential = Array(values[0].utf8)
        // "Bearer" (any case), one or more spaces, then the token68.
        let scheme = credential.prefix(6)
        guard scheme.count == 6, HTTPGrammar.equalsIgnoringCase(scheme, "bearer") else { return nil }
        let rest = credential.dropFirst(6)
        guard let first = rest.first, first == HTTPGrammar.space else { return nil }
        let presented = rest.drop { $0 == HTTPGrammar.space }
        guard !presented.isEmpty else { return nil }
        var matched: String?
        for (name, token) in tokens where token.matches(presented) {
            matched = name
        }
        return matched
    }

    /// The 401 answer: error shape plus the `WWW-Authenticate` challenge (RFC 6750 §3).
    package static var rejection: HTTPResponse {
        var response = HTTPResponse.error(
            .unauthorized, code: "unauthorized",
            message: "missing or invalid bearer token; send 'Authorization: Bearer <token>' with the server's API token")
        response.headers["WWW-Authenticate"] = "Bearer realm=\"imagegen\""
        return response
    }

    /// `handler`, guarded: requests without an accepted token get `rejection`; the others reach
    /// it with `bearerTokenName` set to the token's name.
    package func wrap(_ handler: @escaping HTTPHandler) -> HTTPHandler {
        let auth = self
        return { request in
            guard let name = auth.holder(of: request.headers) else { return BearerTokenAuth.rejection }
            var request = request
            request.bearerTokenName = name
            return await handler(request)
        }
    }
}
