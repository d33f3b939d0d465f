import Catalog

/// Who a request comes from, as the API's permissions see it: a machine with a bearer token, a
/// loopback client of a server without tokens (both as before users existed: full access, every
/// category), or a person signed in with a session cookie (their role, their adult status).
struct RequestIdentity: Sendable {
    enum Kind: String, Sendable { case token, loopback, user, anonymous }

    var kind: Kind
    /// The audit principal: `token:<name>`, `loopback:<address>`, `user:<name>`, `anonymous:<address>`.
    var principal: String
    var role: UserRole?
    var adultVerified: Bool
    /// The signed-in user's account and session (nil for machines).
    var user: UserAccount?
    var sessionTokenHash: String?
    /// The CSRF token a state-changing request of this session must carry.
    var csrfToken: String?

    /// Machines keep the access they had before users existed.
    static func machine(_ kind: Kind, principal: String) -> RequestIdentity {
        RequestIdentity(kind: kind, principal: principal, role: .admin, adultVerified: true)
    }

    static func anonymous(address: String) -> RequestIdentity {
        RequestIdentity(kind: .anonymous, principal: "anonymous:\(address)", role: nil, adultVerified: false)
    }

    func may(_ needed: UserRole) -> Bool { role.map { $0 >= needed } ?? false }

    /// May read prompts (reviewer and up; machines too).
    var readsPrompts: Bool { may(.reviewer) }

    @TaskLocal static var current: RequestIdentity?
}
