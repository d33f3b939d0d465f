import Foundation
import Catalog

extension SQLiteCatalog: PersonalDataStore {
    public func personalData(ofUser name: String) throws -> StoredPersonalData {
        try migrate(PeopleSchema.schema)
        try migrate(ReviewSchema.schema)
        try migrate(TakedownSchema.schema)
        return try database.transaction {
            guard let account = try user(named: name) else { throw UserError.unknown(name) }
            let principal = "user:" + name
            let sessions = try database.query("SELECT created_at, expires_at, address FROM sessions WHERE user_name = ? ORDER BY created_at",
                                              [.text(name)]).map { r in
                SessionRecord(createdAt: Self.date(ms: r["created_at"]?.int), expiresAt: Self.date(ms: r["expires_at"]?.int),
                              address: r["address"]?.string ?? "")
            }
            let reviews = try database.query("""
                SELECT image_id, state, reason, reviewer, reviewed_at FROM image_reviews WHERE reviewer = ? ORDER BY reviewed_at, image_id
                """, [.text(principal)]).map { r in
                ImageReview(imageID: r["image_id"]?.string ?? "", state: ReviewState(rawValue: r["state"]?.string ?? "") ?? .pending,
                            reason: r["reason"]?.string, reviewer: r["reviewer"]?.string, reviewedAt: Self.date(ms: r["reviewed_at"]?.int))
            }
            let takedowns = try database.query("SELECT id FROM takedowns WHERE requested_by = ? ORDER BY requested_at",
                                               [.text(principal)]).compactMap { $0["id"]?.string }
            let verified = try database.query("SELECT name FROM users WHERE adult_verified_by = ? ORDER BY name",
                                              [.text(principal)]).compactMap { $0["name"]?.string }
            return StoredPersonalData(account: account, sessions: sessions, reviews: reviews, takedownRequests: takedowns,
                                      adultVerificationsGiven: verified)
        }
    }

    public func checkErasable(user name: String) throws {
        try migrate(PeopleSchema.schema)
        try refuseUnerasable(name)
    }

    private func refuseUnerasable(_ name: String) throws {
        guard let account = try user(named: name) else { throw UserError.unknown(name) }
        if account.role == .admin && !account.disabled {
            let others = try database.query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND name <> ?",
                                             [.text(name)]).first?["n"]?.int ?? 0
            if others == 0 { throw UserError.lastAdmin(name) }
        }
    }

    public func erasePersonalData(ofUser name: String, pseudonym: String, now: Date) throws {
        try migrate(PeopleSchema.schema)
        try migrate(ReviewSchema.schema)
        try migrate(TakedownSchema.schema)
        try database.transaction {
            try refuseUnerasable(name)
            let (old, new) = ("user:" + name, "user:" + pseudonym)
            try database.query("DELETE FROM sessions WHERE user_name = ?", [.text(name)])
            try database.query("""
                UPDATE users SET name = ?, password_hash = '', disabled = 1, adult_verified = 0, adult_verified_by = NULL,
                    adult_verified_at = NULL, updated_at = ? WHERE name = ?
                """, [.text(pseudonym), .integer(ms(now)), .text(name)])
            try database.query("UPDATE users SET adult_verified_by = ? WHERE adult_verified_by = ?", [.text(new), .text(old)])
            try database.query("UPDATE image_reviews SET reviewer = ? WHERE reviewer = ?", [.text(new), .text(old)])
            try database.query("UPDATE takedowns SET requested_by = ? WHERE requested_by = ?", [.text(new), .text(old)])
        }
    }
}
