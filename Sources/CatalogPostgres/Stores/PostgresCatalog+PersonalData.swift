import Foundation
import Catalog
import CatalogSQLite

/// A person's export and erasure, as on SQLite: erasure keeps what proves something happened
/// (reviews, takedowns, the account row) under the pseudonym and drops what identifies or
/// authenticates them. Erasure takes the people lock `setDisabled` and `setRole` take, so two
/// hosts cannot leave the catalog without an enabled admin between them.
extension PostgresCatalog: PersonalDataStore {
    package func personalData(ofUser name: String) throws -> StoredPersonalData {
        try db.transaction {
            guard let account = try user(named: name) else { throw UserError.unknown(name) }
            let principal = "user:" + name
            let sessions = try db.query("SELECT created_at, expires_at, address FROM sessions WHERE user_name = $1 ORDER BY created_at",
                                        [.text(name)]).map { r in
                SessionRecord(createdAt: SQLiteCatalog.date(ms: r["created_at"]?.int), expiresAt: SQLiteCatalog.date(ms: r["expires_at"]?.int),
                              address: r["address"]?.string ?? "")
            }
            let reviews = try db.query("""
                SELECT image_id, state, reason, reviewer, reviewed_at FROM image_reviews WHERE reviewer = $1 ORDER BY reviewed_at, image_id
                """, [.text(principal)]).map { r in
                ImageReview(imageID: r["image_id"]?.string ?? "", state: ReviewState(rawValue: r["state"]?.string ?? "") ?? .pending,
                            reason: r["reason"]?.string, reviewer: r["reviewer"]?.string,
                            reviewedAt: SQLiteCatalog.date(ms: r["reviewed_at"]?.int))
            }
            let takedowns = try db.query("SELECT id FROM takedowns WHERE requested_by = $1 ORDER BY requested_at",
                                         [.text(principal)]).compactMap { $0["id"]?.string }
            let verified = try db.query("SELECT name FROM users WHERE adult_verified_by = $1 ORDER BY name",
                                        [.text(principal)]).compactMap { $0["name"]?.string }
            return StoredPersonalData(account: account, sessions: sessions, reviews: reviews, takedownRequests: takedowns,
                                      adultVerificationsGiven: verified)
        }
    }

    package func checkErasable(user name: String) throws {
        try refuseUnerasable(name)
    }

    private func refuseUnerasable(_ name: String) throws {
        guard let account = try user(named: name) else { throw UserError.unknown(name) }
        if account.role == .admin && !account.disabled {
            let others = try db.query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND name <> $1",
                                      [.text(name)]).first?["n"]?.int ?? 0
            if others == 0 { throw UserError.lastAdmin(name) }
        }
    }

    package func erasePersonalData(ofUser name: String, pseudonym: String, now: Date) throws {
        try db.transaction {
            try db.query("SELECT pg_advisory_xact_lock($1)", [.integer(LockKey.people)])
            try refuseUnerasable(name)
            let (old, new) = ("user:" + name, "user:" + pseudonym)
            try db.query("DELETE FROM sessions WHERE user_name = $1", [.text(name)])
            try db.query("""
                UPDATE users SET name = $1, password_hash = '', disabled = 1, adult_verified = 0, adult_verified_by = NULL,
                    adult_verified_at = NULL, updated_at = $2 WHERE name = $3
                """, [.text(pseudonym), .integer(ms(now)), .text(name)])
            try db.query("UPDATE users SET adult_verified_by = $1 WHERE adult_verified_by = $2", [.text(new), .text(old)])
            try db.query("UPDATE image_reviews SET reviewer = $1 WHERE reviewer = $2", [.text(new), .text(old)])
            try db.query("UPDATE takedowns SET requested_by = $1 WHERE requested_by = $2", [.text(new), .text(old)])
        }
    }
}
