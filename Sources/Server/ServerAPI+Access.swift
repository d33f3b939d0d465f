import Foundation
import Catalog
import Crypto
import HTTPServer
import Security

/// Who is calling, and whether they may: the identity of each request (token, loopback, session
/// cookie), the role each route needs, the CSRF token of session requests, and the refusal of
/// cross-site writes.
extension ServerAPI {
    /// The identity of `request`. A session cookie that is unknown, expired or of a disabled
    /// user counts as no cookie.
    func identify(_ request: HTTPRequest) -> RequestIdentity {
        if let known = identifyWithoutCatalog(request) { return known }
        if let token = SessionToken.fromCookies(request.headers) {
            do {
                if let session = try catalog.session(tokenHash: SessionToken.hash(token), now: service.clock()),
                   let user = try catalog.user(named: session.user), !user.disabled {
                    return RequestIdentity(kind: .user, principal: "user:\(user.name)", role: user.role, adultVerified: user.adultVerified,
                                           user: user, sessionTokenHash: session.tokenHash, csrfToken: SessionToken.csrf(for: token))
                }
            } catch {
                runtime.log.error("API: cannot read the session of a request: \(error)")
            }
        }
        return identityWithoutSession(request)
    }

    /// `identify` where it needs no catalog read (on the socket thread); nil when the request
    /// carries a session cookie, which only the catalog can check.
    func identifyWithoutCatalog(_ request: HTTPRequest) -> RequestIdentity? {
        if let name = request.bearerTokenName { return .machine(.token, principal: "token:\(name)") }
        if SessionToken.fromCookies(request.headers) != nil { return nil }
        return identityWithoutSession(request)
    }

    /// A caller with no token and no valid session: a loopback machine, or anonymous when credentials are required.
    private func identityWithoutSession(_ request: HTTPRequest) -> RequestIdentity {
        let address = request.remoteAddress.isEmpty ? "unknown" : request.remoteAddress
        if !access.credentialsRequired { return .machine(.loopback, principal: "loopback:\(address)") }
        return .anonymous(address: address)
    }

    /// The answer refusing `request` on `pattern` for `identity`, or nil when it may proceed.
    func refusal(_ request: HTTPRequest, pattern: String, identity: RequestIdentity) -> HTTPResponse? {
        let writes = request.method != .get && request.method != .head && request.method != .options
        // A browser says where a request comes from; another site's page may not write here,
        // whatever it holds (a loopback server without tokens trusts its callers otherwise).
        if writes, identity.kind != .token, let site = request.headers["Sec-Fetch-Site"], site != "same-origin", site != "none" {
            return APIError(.forbidden, "cross_site", "a write from another site is refused; use this server's own pages or a token").response
        }
        if identity.kind == .user, writes, pattern != "/v1/session" || request.method != .post {
            let presented = request.headers["X-CSRF-Token"] ?? ""
            guard let expected = identity.csrfToken, ConstantTime.equal(Array(presented.utf8), Array(expected.utf8)) else {
                return APIError(.forbidden, "csrf_required",
                                "this request needs the header X-CSRF-Token with the csrf_token of GET /v1/session").response
            }
        }
        switch RoutePermissions.need(request.method, pattern) {
        case .publicRoute:
            return nil
        case .role(let needed):
            guard let role = identity.role else {
                var response = APIError(.unauthorized, "unauthorized",
                                        "sign in (POST /v1/session) or send 'Authorization: Bearer <token>'").response
                response.headers["WWW-Authenticate"] = "Bearer realm=\"imagegen\""
                return response
            }
            guard role >= needed else {
                return APIError(.forbidden, "forbidden", "this needs the \(needed.rawValue) role; \(identity.principal) is \(role.rawValue)").response
            }
            return nil
        }
    }

    /// The caller the audit log and quotas see for `identity`.
    static func caller(for identity: RequestIdentity, bearerTokenName: String?) -> Caller {
        if let name = bearerTokenName { return Caller(apiToken: name) }
        return Caller(principal: identity.principal)
    }
}
