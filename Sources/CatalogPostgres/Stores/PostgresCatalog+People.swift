import Foundation
import Catalog
import CatalogSQLite

/// People and their sessions, as on SQLite. Changes that must leave an enabled admin (disable,
/// demote) take the people lock first, so two hosts demoting the last two admins at once cannot
/// both see the other one still enabled.
extension PostgresCatalog: UserStore {
    package func addUser(name: String, role: UserRole, passwordHash: String, now: Date) throws -> UserAccount {
        guard UserAccount.isValidName(name) else { throw UserError.invalidName(name) }
        let added = try db.query("""
            INSERT INTO users (name, role, password_hash, created_at, password_changed_at, updated_at) VALUES ($1, $2, $3, $4, $4, $4)
            ON CONFLICT (name) DO NOTHING RETURNING name
            """, [.text(name), .text(role.rawValue), .text(passwordHash), .integer(ms(now))])
        guard !added.isEmpty else { throw UserError.exists(name) }
        let at = Date(timeIntervalSince1970: Double(ms(now)) / 1000)
        return UserAccount(name: name, role: role, createdAt: at, passwordChangedAt: at)
    }

    package func users() throws -> [UserAccount] {
        try db.query("SELECT * FROM users ORDER BY name").map(SQLiteCatalog.account(from:))
    }

    package func user(named name: String) throws -> UserAccount? {
        try db.query("SELECT * FROM users WHERE name = $1", [.text(name)]).first.map(SQLiteCatalog.account(from:))
    }

    package func passwordHash(ofUser name: String) throws -> String? {
        try db.query("SELECT password_hash FROM users WHERE name = $1", [.text(name)]).first?["password_hash"]?.string
    }

    package func setPasswordHash(ofUser name: String, to hash: String, now: Date) throws {
        try db.transaction {
            let changed = try db.update("UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE name = $3",
                                        [.text(hash), .integer(ms(now)), .text(name)])
            guard changed > 0 else { throw UserError.unknown(name) }
            try db.query("DELETE FROM sessions WHERE user_name = $1", [.text(name)])
        }
    }

    package func setDisabled(_ disabled: Bool, user name: String, now: Date) throws -> UserAccount {
        try db.transaction {
            try db.query("SELECT pg_advisory_xact_lock($1)", [.integer(LockKey.people)])
            guard let account = try user(named: name) else { throw UserError.unknown(name) }
            if disabled && account.role == .admin && !account.disabled { try refuseLastAdmin(name) }
            try db.query("UPDATE users SET disabled = $1, updated_at = $2 WHERE name = $3",
                         [.integer(disabled ? 1 : 0), .integer(ms(now)), .text(name)])
            if disabled { try db.query("DELETE FROM sessions WHERE user_name = $1", [.text(name)]) }
            return try user(named: name)!
        }
    }

    package func setRole(_ role: UserRole, user name: String, now: Date) throws -> UserAccount {
        try db.transaction {
            try db.query("SELECT pg_advisory_xact_lock($1)", [.integer(LockKey.people)])
            guard let account = try user(named: name) else { throw UserError.unknown(name) }
            if account.role == .admin && role != .admin && !account.disabled { try refuseLastAdmin(name) }
            try db.query("UPDATE users SET role = $1, updated_at = $2 WHERE name = $3", [.text(role.rawValue), .integer(ms(now)), .text(name)])
            return try user(named: name)!
        }
    }

    package func setAdultVerified(_ verified: Bool, user name: String, by admin: String, now: Date) throws -> UserAccount {
        try db.transaction {
            let changed = try db.update("""
                UPDATE users SET adult_verified = $1, adult_verified_by = $2, adult_verified_at = $3, updated_at = $4 WHERE name = $5
                """, [.integer(verified ? 1 : 0), verified ? .text(admin) : .null, verified ? .integer(ms(now)) : .null,
                      .integer(ms(now)), .text(name)])
            guard changed > 0 else { throw UserError.unknown(name) }
            return try user(named: name)!
        }
    }

    /// Throws when `name` is the only enabled admin.
    private func refuseLastAdmin(_ name: String) throws {
        let others = try db.query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND name <> $1",
                                  [.text(name)]).first?["n"]?.int ?? 0
        if others == 0 { throw UserError.lastAdmin(name) }
    }

    package func createSession(_ session: UserSession) throws {
        try db.query("INSERT INTO sessions (token_hash, user_name, created_at, expires_at, address) VALUES ($1, $2, $3, $4, $5)",
                     [.text(session.tokenHash), .text(session.user), .integer(ms(session.createdAt)),
                      .integer(ms(session.expiresAt)), .text(session.address)])
    }

    package func session(tokenHash: String, now: Date) throws -> UserSession? {
        try db.query("SELECT * FROM sessions WHERE token_hash = $1 AND expires_at > $2", [.text(tokenHash), .integer(ms(now))])
            .first.map { r in
                UserSession(tokenHash: r["token_hash"]?.string ?? "", user: r["user_name"]?.string ?? "",
                            createdAt: SQLiteCatalog.date(ms: r["created_at"]?.int), expiresAt: SQLiteCatalog.date(ms: r["expires_at"]?.int),
                            address: r["address"]?.string ?? "")
            }
    }

    package func deleteSession(tokenHash: String) throws {
        try db.query("DELETE FROM sessions WHERE token_hash = $1", [.text(tokenHash)])
    }

    @discardableResult
    package func deleteExpiredSessions(now: Date) throws -> Int {
        try db.update("DELETE FROM sessions WHERE expires_at <= $1", [.integer(ms(now))])
    }
}
