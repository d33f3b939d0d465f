import Foundation
import Catalog
import Crypto
import HTTPServer
import ImagegenCore
import Security

/// `POST /v1/session` (sign in), `GET /v1/session` (who am I), `DELETE /v1/session` (sign out).
extension ServerAPI {
    struct LoginRequest: Decodable { var user: String; var password: String }

    struct SessionBody: Encodable {
        var principal: String
        var kind: String
        var role: String?
        var user: UserAccount?
        var adultVerified: Bool
        var csrfToken: String?
        var expiresAt: Date?
        enum CodingKeys: String, CodingKey {
            case principal, kind, role, user
            case adultVerified = "adult_verified", csrfToken = "csrf_token", expiresAt = "expires_at"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(principal, forKey: .principal)
            try c.encode(kind, forKey: .kind)
            try c.encode(role, forKey: .role)
            try c.encode(user, forKey: .user)
            try c.encode(adultVerified, forKey: .adultVerified)
            try c.encode(csrfToken, forKey: .csrfToken)
            try c.encode(expiresAt, forKey: .expiresAt)
        }
    }

    /// A hash to verify against when the user is unknown, so the answer takes as long as for a
    /// known user with a wrong password (no user-name probing by timing).
    static let decoyHash: String = PasswordHash.hash(SecureRandom.hex(16)) ?? ""

    func showSession(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let identity = RequestIdentity.current ?? identify(request)
            guard identity.role != nil else {
                throw APIError(.unauthorized, "unauthorized", "not signed in; POST /v1/session with {\"user\", \"password\"}")
            }
            var expires: Date?
            if let hash = identity.sessionTokenHash { expires = try catalog.session(tokenHash: hash, now: service.clock())?.expiresAt }
            return APIEncoding.json(SessionBody(principal: identity.principal, kind: identity.kind.rawValue, role: identity.role?.rawValue,
                                                user: identity.user, adultVerified: identity.adultVerified,
                                                csrfToken: identity.csrfToken, expiresAt: expires))
        }
    }

    func login(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let body = try request.decodeJSON(LoginRequest.self)
            let address = request.remoteAddress.split(separator: ":").dropLast().joined(separator: ":")
            let now = service.clock()
            let audit = runtime.security.audit
            let name = String(body.user.prefix(64))
            if let wait = access.throttle.retryAfter(user: name, address: address, now: now) {
                audit.record(.loginRefusal, subject: name, details: ["reason": "throttled", "address": address],
                             caller: Caller(principal: "anonymous:\(address)"))
                throw APIError(.tooManyRequests, "too_many_attempts", "too many failed sign-ins; try again in \(wait) s", retryAfterSeconds: wait)
            }
            guard body.password.utf8.count <= PasswordHash.maxPasswordBytes else {
                throw APIError.invalidRequest("password longer than \(PasswordHash.maxPasswordBytes) bytes")
            }
            let account = try catalog.user(named: name)
            let stored = try catalog.passwordHash(ofUser: name) ?? ServerAPI.decoyHash
            let password = body.password
            let matches = try await BlockingWork.run { PasswordHash.verify(password, against: stored) }
            guard let account, matches, !account.disabled else {
                access.throttle.recordFailure(user: name, address: address, now: now)
                let reason = account == nil ? "unknown user" : (matches ? "disabled" : "wrong password")
                audit.record(.loginRefusal, subject: name, details: ["reason": reason, "address": address],
                             caller: Caller(principal: "anonymous:\(address)"))
                throw APIError(.unauthorized, "login_failed", "wrong user name or password, or the account is disabled")
            }
            access.throttle.recordSuccess(user: name)
            let token = SessionToken.make()
            let session = UserSession(tokenHash: SessionToken.hash(token), user: account.name, createdAt: now,
                                      expiresAt: now.addingTimeInterval(access.sessionLifetime), address: address)
            try catalog.deleteExpiredSessions(now: now)
            try catalog.createSession(session)
            audit.record(.login, subject: account.name, details: ["address": address], caller: Caller(principal: "user:\(account.name)"))
            var response = APIEncoding.json(SessionBody(principal: "user:\(account.name)", kind: "user", role: account.role.rawValue,
                                                        user: account, adultVerified: account.adultVerified,
                                                        csrfToken: SessionToken.csrf(for: token), expiresAt: session.expiresAt))
            response.headers["Set-Cookie"] = SessionToken.setCookie(token, maxAge: Int(access.sessionLifetime), secure: access.secureCookies)
            response.headers["Cache-Control"] = "no-store"
            return response
        }
    }

    func logout(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let identity = RequestIdentity.current ?? identify(request)
            if let hash = identity.sessionTokenHash {
                try catalog.deleteSession(tokenHash: hash)
                runtime.security.audit.record(.logout, subject: identity.user?.name ?? identity.principal)
            }
            var response = HTTPResponse.noContent
            response.headers["Set-Cookie"] = SessionToken.setCookie(nil, maxAge: 0, secure: access.secureCookies)
            return response
        }
    }
}
