import Foundation
import Catalog
import CatalogSQLite
import ImagegenCore
import Templates

/// Experiments, ratings, learned profiles, template history and reservations, as on SQLite.
extension PostgresCatalog: ExperimentStore, RatingStore, PreferenceProfileStore, TemplateHistoryStore, ReservationStore {
    package func experimentData(template: String) throws -> (assignments: [String: Int], outcomes: [ExperimentOutcome]) {
        let rows = try db.query("""
            SELECT i.extra::jsonb ->> 'arm' AS arm, r.rating AS rating, i.quality_score AS quality
            FROM images i LEFT JOIN ratings r ON r.image_id = i.id
            WHERE i.variant = 'original' AND i.extra::jsonb ->> 'template' = $1 AND i.extra::jsonb ->> 'arm' IS NOT NULL
            """, [.text(template)])
        var assignments: [String: Int] = [:]
        var outcomes: [ExperimentOutcome] = []
        for r in rows {
            guard let arm = r["arm"]?.string else { continue }
            assignments[arm, default: 0] += 1
            let rating = r["rating"]?.int.map(Int.init)
            let quality = r["quality"]?.double
            if rating != nil || quality != nil { outcomes.append(ExperimentOutcome(arm: arm, rating: rating, qualityScore: quality)) }
        }
        // Jobs still running count as assignments too, so arms keep taking turns.
        for r in try db.query("""
            SELECT extra::jsonb -> 'extra' ->> 'arm' AS arm FROM jobs
            WHERE state IN ('queued','submitting','submitted','running') AND extra::jsonb -> 'extra' ->> 'template' = $1
            """, [.text(template)]) {
            if let arm = r["arm"]?.string { assignments[arm, default: 0] += 1 }
        }
        return (assignments, outcomes)
    }

    package func rate(imageID: String, rating: Int, now: Date = Date()) throws {
        try db.query("""
            INSERT INTO ratings (image_id, rating, rated_at) VALUES ($1, $2, $3)
            ON CONFLICT (image_id) DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at
            """, [.text(imageID), .integer(Int64(rating)), .integer(ms(now))])
    }

    package func rating(imageID: String) throws -> Int? {
        try db.query("SELECT rating FROM ratings WHERE image_id = $1", [.text(imageID)]).first?["rating"]?.int.map(Int.init)
    }

    package func storedProfile(_ name: String) throws -> PreferenceProfile? {
        guard let json = try db.query("SELECT profile FROM profiles WHERE name = $1", [.text(name)]).first?["profile"]?.string else { return nil }
        // A stored profile that does not decode throws rather than falling back to other preferences.
        return try JSONDecoder().decode(PreferenceProfile.self, from: Data(json.utf8))
    }

    package func storeProfile(_ profile: PreferenceProfile, now: Date = Date()) throws {
        let data = try JSONEncoder().encode(profile)
        try db.query("""
            INSERT INTO profiles (name, profile, updated_at) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at
            """, [.text(profile.name), .text(String(decoding: data, as: UTF8.self)), .integer(ms(now))])
    }

    package func recordTemplateVersions(_ templates: [PromptTemplate], reason: String = "loaded", now: Date = Date()) throws {
        try db.transaction {
            for t in templates {
                try db.query("""
                    INSERT INTO template_versions (name, version, category, template, first_seen_at, reason)
                    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
                    """, [.text(t.name), .text(t.version.description), .text(t.category),
                          .text(String(decoding: t.canonicalJSON, as: UTF8.self)), .integer(ms(now)), .text(reason)])
            }
        }
    }

    package func templateHistory(_ name: String) throws -> [TemplateVersionRecord] {
        try db.query("SELECT * FROM template_versions WHERE name = $1 ORDER BY first_seen_at, version", [.text(name)]).map { r in
            TemplateVersionRecord(name: r["name"]?.string ?? "", version: r["version"]?.string ?? "",
                                  category: r["category"]?.string ?? "",
                                  firstSeenAt: Date(timeIntervalSince1970: Double(r["first_seen_at"]?.int ?? 0) / 1000),
                                  reason: r["reason"]?.string ?? "")
        }
    }

    /// The image's row is locked while its reservations are checked, so two hosts never promise
    /// one image to two posts.
    package func reserve(imageID: String, channel: String, day: String, now: Date = Date()) throws -> Reservation {
        guard day.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else { throw ReservationError.invalidDay(day) }
        return try db.transaction {
            guard let row = try db.query("SELECT * FROM images WHERE id = $1 FOR UPDATE", [.text(imageID)]).first else {
                throw ReservationError.unknownImage(imageID)
            }
            let found = imageRecord(from: row)
            guard found.variant == "original" else { throw ReservationError.derivative(id: imageID, original: found.parentID) }
            if let existing = try activeReservation(imageID: imageID) {
                throw ReservationError.alreadyReserved(imageID: imageID, by: existing)
            }
            let r = Reservation(id: RecordID.make("res"), imageID: imageID, channel: channel, day: day, createdAt: now, releasedAt: nil)
            try db.query("INSERT INTO reservations (id, image_id, channel, day, created_at) VALUES ($1, $2, $3, $4, $5)",
                         [.text(r.id), .text(imageID), .text(channel), .text(day), .integer(ms(now))])
            return r
        }
    }

    package func releaseReservation(imageID: String, now: Date = Date()) throws -> Reservation {
        try db.transaction {
            guard var r = try activeReservation(imageID: imageID) else { throw ReservationError.notFound(imageID) }
            try db.query("UPDATE reservations SET released_at = $1 WHERE id = $2", [.integer(ms(now)), .text(r.id)])
            r.releasedAt = now
            return r
        }
    }

    package func activeReservation(imageID: String) throws -> Reservation? {
        try db.query("SELECT * FROM reservations WHERE image_id = $1 AND released_at IS NULL", [.text(imageID)]).first.map { r in
            Reservation(id: r["id"]?.string ?? "", imageID: r["image_id"]?.string ?? "", channel: r["channel"]?.string ?? "",
                        day: r["day"]?.string ?? "", createdAt: Date(timeIntervalSince1970: Double(r["created_at"]?.int ?? 0) / 1000),
                        releasedAt: nil)
        }
    }

    /// Stored originals with no active reservation that were not rejected, newest first.
    package func availableImages(category: String?, tag: String?, limit: Int = 100) throws -> [ImageRecord] {
        var filter = ImageFilter(category: category, tag: tag, limit: limit)
        filter.availableOnly = true
        return try images(filter)
    }
}
