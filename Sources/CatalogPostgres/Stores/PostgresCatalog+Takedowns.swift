import Foundation
import Catalog
import CatalogSQLite
import ImagegenCore
import Imaging

/// Takedowns, fingerprints and tombstones, as on SQLite (the tables are migrated when the
/// catalog opens, so `prepareTakedowns` has nothing left to do). A commit locks the images it
/// takes down, so an upload claim or a reservation on another host waits for it.
extension PostgresCatalog: TakedownStore {
    package func prepareTakedowns() throws {}

    package func recordFingerprint(imageID: String, hash: PerceptualHash) throws {
        try db.query("""
            INSERT INTO image_fingerprints (image_id, dhash) VALUES ($1, $2)
            ON CONFLICT (image_id) DO UPDATE SET dhash = excluded.dhash
            """, [.text(imageID), .text(hash.description)])
    }

    package func originalsWithoutFingerprint(limit: Int) throws -> [ImageRecord] {
        try db.query("""
            SELECT * FROM images i WHERE variant = 'original' AND status = 'completed'
              AND NOT EXISTS (SELECT 1 FROM image_fingerprints f WHERE f.image_id = i.id)
            ORDER BY generated_at, id LIMIT $1
            """, [.integer(Int64(limit))]).map(imageRecord(from:))
    }

    package func fingerprints() throws -> [ImageFingerprint] {
        try db.query("""
            SELECT i.id, i.content_sha256, f.dhash FROM images i JOIN image_fingerprints f ON f.image_id = i.id
            WHERE i.variant = 'original' AND i.status = 'completed'
            """).compactMap { row in
            guard let id = row["id"]?.string, let hash = row["dhash"]?.string.flatMap(PerceptualHash.init(hex:)) else { return nil }
            return ImageFingerprint(imageID: id, contentSHA256: row["content_sha256"]?.string ?? "", hash: hash)
        }
    }

    package func images(withSHA256 hex: String) throws -> [ImageRecord] {
        try db.query("SELECT * FROM images WHERE content_sha256 = $1 AND status = 'completed' ORDER BY id",
                     [.text(hex.lowercased())]).map(imageRecord(from:))
    }

    package func openTakedown(_ request: TakedownRecord) throws {
        try db.query("""
            INSERT INTO takedowns (id, target_kind, target, reason, requested_by, requested_at, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [.text(request.id), .text(request.targetKind), .text(request.target), .text(request.reason),
                  .text(request.requestedBy), .integer(ms(request.requestedAt)), .integer(ms(request.receivedAt))])
    }

    package func commitTakedown(id: String, originals: [String], tombstones: [Tombstone], cleanup: TakedownCleanup,
                                now: Date) throws {
        try db.transaction {
            let ids = try SQLiteCatalog.encode(originals)
            let affected = try db.query("""
                SELECT id FROM images WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))
                   OR parent_id IN (SELECT jsonb_array_elements_text($1::jsonb))
                ORDER BY id FOR UPDATE
                """, [.text(ids)]).compactMap { $0["id"]?.string }
            let all = try SQLiteCatalog.encode(affected)
            try db.query("UPDATE images SET status = 'taken_down' WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))", [.text(all)])
            try db.query("DELETE FROM uploads WHERE image_id IN (SELECT jsonb_array_elements_text($1::jsonb))", [.text(all)])
            for t in tombstones {
                try db.query("""
                    INSERT INTO tombstones (image_id, takedown_id, content_sha256, dhash, template, seed, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (image_id) DO NOTHING
                    """, [.text(t.imageID), .text(t.takedownID), .text(t.contentSHA256), t.hash.map { .text($0.description) } ?? .null,
                          t.template.map { .text($0) } ?? .null, t.seed.map { .integer(Int64($0)) } ?? .null, .integer(ms(now))])
            }
            try db.query("UPDATE takedowns SET committed_at = $1, images = $2, cleanup = $3 WHERE id = $4",
                         [.integer(ms(now)), .text(ids), .text(try SQLiteCatalog.encode(cleanup)), .text(id)])
        }
    }

    package func completeTakedown(id: String, error: String?, now: Date) throws {
        if let error {
            try db.query("UPDATE takedowns SET last_error = $1 WHERE id = $2", [.text(error), .text(id)])
        } else {
            try db.query("UPDATE takedowns SET completed_at = $1, last_error = NULL WHERE id = $2", [.integer(ms(now)), .text(id)])
        }
    }

    package func takedown(id: String) throws -> TakedownRecord? {
        try db.query("SELECT * FROM takedowns WHERE id = $1", [.text(id)]).first.map(SQLiteCatalog.takedown(from:))
    }

    package func takedowns(limit: Int) throws -> [TakedownRecord] {
        try db.query("SELECT * FROM takedowns ORDER BY received_at DESC, id DESC LIMIT $1", [.integer(Int64(limit))])
            .map(SQLiteCatalog.takedown(from:))
    }

    package func tombstone(template: String, seed: UInt32) throws -> Tombstone? {
        try db.query("SELECT * FROM tombstones WHERE template = $1 AND seed = $2 LIMIT 1",
                     [.text(template), .integer(Int64(seed))]).first.map(SQLiteCatalog.tombstone(from:))
    }

    package func tombstones() throws -> [Tombstone] {
        try db.query("SELECT * FROM tombstones ORDER BY created_at, image_id").map(SQLiteCatalog.tombstone(from:))
    }
}
