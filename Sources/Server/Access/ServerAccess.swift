import Foundation
import Catalog
import HTTPServer

/// How the API decides who is calling: whether credentials are required at all (a token is
/// configured), whether session cookies must be `Secure` (a listener off loopback), how long a
/// session lasts, and the login throttle.
final class ServerAccess: Sendable {
    /// Tokens are configured: a request needs a token or a session (besides public routes).
    let credentialsRequired: Bool
    /// Cookies carry `Secure` (the listener is not on loopback, so it is behind TLS).
    let secureCookies: Bool
    let sessionLifetime: TimeInterval
    let throttle: LoginThrottle

    init(credentialsRequired: Bool = false, secureCookies: Bool = false, sessionLifetime: TimeInterval = 12 * 3600,
         throttle: LoginThrottle = LoginThrottle()) {
        self.credentialsRequired = credentialsRequired
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
        self.throttle = throttle
    }

    /// What the HTTP server lets through without a bearer token, decided from the head: requests
    /// with a session cookie (checked by the handler), the login itself, and the web
    /// app's pages (anything outside `/v1/`, `/metrics` and `/healthz`, read-only).
    static let admitsWithoutToken: @Sendable (HTTPMethod, String, HTTPHeaders) -> Bool = { method, path, headers in
        if SessionToken.fromCookies(headers) != nil { return true }
        if path == "/v1/session" { return true }
        // Health and metrics keep needing the token when one is set, as before sessions existed.
        return (method == .get || method == .head) && !path.hasPrefix("/v1/") && path != "/metrics" && path != "/healthz"
    }
}
