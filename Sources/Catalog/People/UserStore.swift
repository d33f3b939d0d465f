import Foundation

/// People and their sessions. Passwords arrive here already hashed (Argon2id strings); the
/// store never sees a password or a session token, only their hashes. Each method is one
/// committed transaction.
public protocol UserStore: Sendable {
    /// Throws `UserError.exists`.
    func addUser(name: String, role: UserRole, passwordHash: String, now: Date) throws -> UserAccount
    func users() throws -> [UserAccount]
    func user(named name: String) throws -> UserAccount?
    /// The stored password hash of an enabled or disabled user; nil for an unknown one.
    func passwordHash(ofUser name: String) throws -> String?
    /// Replaces the password hash and ends every session of the user. Throws `UserError.unknown`.
    func setPasswordHash(ofUser name: String, to hash: String, now: Date) throws
    /// Disables (ending every session) or re-enables. Refuses to disable the last enabled admin.
    func setDisabled(_ disabled: Bool, user name: String, now: Date) throws -> UserAccount
    /// Changes the role; refuses to demote the last enabled admin.
    func setRole(_ role: UserRole, user name: String, now: Date) throws -> UserAccount
    /// Records (or withdraws) an admin's confirmation that the user is an adult.
    func setAdultVerified(_ verified: Bool, user name: String, by admin: String, now: Date) throws -> UserAccount

    func createSession(_ session: UserSession) throws
    /// The session with this token hash if it has not expired at `now`.
    func session(tokenHash: String, now: Date) throws -> UserSession?
    func deleteSession(tokenHash: String) throws
    /// Drops expired sessions; returns how many.
    @discardableResult func deleteExpiredSessions(now: Date) throws -> Int
}
