import Crypto
import HTTPServer

/// The session cookie's token and what is derived from it: the hash the catalog keeps, and the
/// CSRF token (an HMAC of a fixed label under the session token, so it needs no storage and
/// cannot be computed without the cookie, which scripts cannot read: HttpOnly).
enum SessionToken {
    static let cookieName = "imagegen_session"

    /// 32 random bytes, hex.
    static func make() -> String { SecureRandom.hex(32) }

    static func hash(_ token: String) -> String { SHA256Digest.of(utf8: token).hex }

    static func csrf(for token: String) -> String {
        SodiumEncoding.hex(HMACSHA256.authenticate(key: Array(token.utf8), message: "imagegen csrf v1"))
    }

    /// The session token in the request's `Cookie` headers, if one is well formed.
    static func fromCookies(_ headers: HTTPHeaders) -> String? {
        for header in headers.values(for: "Cookie") {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                guard trimmed.hasPrefix(cookieName + "=") else { continue }
                let value = String(trimmed.dropFirst(cookieName.count + 1))
                if value.count == 64, value.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) { return value }
            }
        }
        return nil
    }

    /// `Set-Cookie` for a new session (or, with `nil`, one that clears it).
    static func setCookie(_ token: String?, maxAge: Int, secure: Bool) -> String {
        var parts = ["\(cookieName)=\(token ?? "")", "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=\(token == nil ? 0 : maxAge)"]
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }
}
