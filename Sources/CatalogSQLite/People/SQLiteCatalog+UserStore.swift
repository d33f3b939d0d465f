import Foundation
import Catalog

extension SQLiteCatalog: UserStore {
    public func addUser(name: String, role: UserRole, passwordHash: String, now: Date) throws -> UserAccount {
        guard UserAccount.isValidName(name) else { throw UserError.invalidName(name) }
        try migrate(PeopleSchema.schema)
        return try database.transaction {
            if try user(named: name) != nil { throw UserError.exists(name) }
            try database.query("""
                INSERT INTO users (name, role, password_hash, created_at, password_changed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                """, [.text(name), .text(role.rawValue), .text(passwordHash), .integer(ms(now)), .integer(ms(now)), .integer(ms(now))])
            return UserAccount(name: name, role: role, createdAt: Date(timeIntervalSince1970: Double(ms(now)) / 1000),
                               passwordChangedAt: Date(timeIntervalSince1970: Double(ms(now)) / 1000))
        }
    }

    public func users() throws -> [UserAccount] {
        try migrate(PeopleSchema.schema)
        return try database.query("SELECT * FROM users ORDER BY name").map(Self.account(from:))
    }

    public func user(named name: String) throws -> UserAccount? {
        try migrate(PeopleSchema.schema)
        return try database.query("SELECT * FROM users WHERE name = ?", [.text(name)]).first.map(Self.account(from:))
    }

    public func passwordHash(ofUser name: String) throws -> String? {
        try migrate(PeopleSchema.schema)
        return try database.query("SELECT password_hash FROM users WHERE name = ?", [.text(name)]).first?["password_hash"]?.string
    }

    public func setPasswordHash(ofUser name: String, to hash: String, now: Date) throws {
        try migrate(PeopleSchema.schema)
        try database.transaction {
            guard try user(named: name) != nil else { throw UserError.unknown(name) }
            try database.query("UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE name = ?",
                               [.text(hash), .integer(ms(now)), .integer(ms(now)), .text(name)])
            try database.query("DELETE FROM sessions WHERE user_name = ?", [.text(name)])
        }
    }

    public func setDisabled(_ disabled: Bool, user name: String, now: Date) throws -> UserAccount {
        try migrate(PeopleSchema.schema)
        return try database.transaction {
            guard let account = try user(named: name) else { throw UserError.unknown(name) }
            if disabled && account.role == .admin && !account.disabled { try refuseLastAdmin(name) }
            try database.query("UPDATE users SET disabled = ?, updated_at = ? WHERE name = ?",
                               [.integer(disabled ? 1 : 0), .integer(ms(now)), .text(name)])
            if disabled { try database.query("DELETE FROM sessions WHERE user_name = ?", [.text(name)]) }
            return try user(named: name)!
        }
    }

    public func setRole(_ role: UserRole, user name: String, now: Date) throws -> UserAccount {
        try migrate(PeopleSchema.schema)
        return try database.transaction {
            guard let account = try user(named: name) else { throw UserError.unknown(name) }
            if account.role == .admin && role != .admin && !account.disabled { try refuseLastAdmin(name) }
            try database.query("UPDATE users SET role = ?, updated_at = ? WHERE name = ?", [.text(role.rawValue), .integer(ms(now)), .text(name)])
            return try user(named: name)!
        }
    }

    public func setAdultVerified(_ verified: Bool, user name: String, by admin: String, now: Date) throws -> UserAccount {
        try migrate(PeopleSchema.schema)
        return try database.transaction {
            guard try user(named: name) != nil else { throw UserError.unknown(name) }
            try database.query("""
                UPDATE users SET adult_verified = ?, adult_verified_by = ?, adult_verified_at = ?, updated_at = ? WHERE name = ?
                """, [.integer(verified ? 1 : 0), verified ? .text(admin) : .null, verified ? .integer(ms(now)) : .null,
                      .integer(ms(now)), .text(name)])
            return try user(named: name)!
        }
    }

    /// Throws when `name` is the only enabled admin.
    private func refuseLastAdmin(_ name: String) throws {
        let others = try database.query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND name <> ?",
                                         [.text(name)]).first?["n"]?.int ?? 0
        if others == 0 { throw UserError.lastAdmin(name) }
    }

    public func createSession(_ session: UserSession) throws {
        try migrate(PeopleSchema.schema)
        try database.query("INSERT INTO sessions (token_hash, user_name, created_at, expires_at, address) VALUES (?, ?, ?, ?, ?)",
                           [.text(session.tokenHash), .text(session.user), .integer(ms(session.createdAt)),
                            .integer(ms(session.expiresAt)), .text(session.address)])
    }

    public func session(tokenHash: String, now: Date) throws -> UserSession? {
        try migrate(PeopleSchema.schema)
        return try database.query("SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?", [.text(tokenHash), .integer(ms(now))])
            .first.map { r in
                UserSession(tokenHash: r["token_hash"]?.string ?? "", user: r["user_name"]?.string ?? "",
                            createdAt: Self.date(ms: r["created_at"]?.int), expiresAt: Self.date(ms: r["expires_at"]?.int),
                            address: r["address"]?.string ?? "")
            }
    }

    public func deleteSession(tokenHash: String) throws {
        try migrate(PeopleSchema.schema)
        try database.query("DELETE FROM sessions WHERE token_hash = ?", [.text(tokenHash)])
    }

    @discardableResult
    public func deleteExpiredSessions(now: Date) throws -> Int {
        try migrate(PeopleSchema.schema)
        return try database.query("DELETE FROM sessions WHERE expires_at <= ? RETURNING token_hash", [.integer(ms(now))]).count
    }

    package static func date(ms: Int64?) -> Date { Date(timeIntervalSince1970: Double(ms ?? 0) / 1000) }

    package static func account(from r: SQLiteDatabase.Row) -> UserAccount {
        UserAccount(name: r["name"]?.string ?? "", role: UserRole(rawValue: r["role"]?.string ?? "") ?? .viewer,
                    disabled: (r["disabled"]?.int ?? 0) != 0, adultVerified: (r["adult_verified"]?.int ?? 0) != 0,
                    adultVerifiedBy: r["adult_verified_by"]?.string,
                    adultVerifiedAt: r["adult_verified_at"]?.int.map { date(ms: $0) },
                    createdAt: date(ms: r["created_at"]?.int), passwordChangedAt: date(ms: r["password_changed_at"]?.int))
    }
}
