import Foundation
import Catalog
import ImagegenCore
import Imaging

extension SQLiteCatalog: TakedownStore {
    public func prepareTakedowns() throws { try migrate(TakedownSchema.schema) }

    public func recordFingerprint(imageID: String, hash: PerceptualHash) throws {
        try migrate(TakedownSchema.schema)
        try database.query("""
            INSERT INTO image_fingerprints (image_id, dhash) VALUES (?, ?)
            ON CONFLICT (image_id) DO UPDATE SET dhash = excluded.dhash
            """, [.text(imageID), .text(hash.description)])
    }

    public func originalsWithoutFingerprint(limit: Int) throws -> [ImageRecord] {
        try migrate(TakedownSchema.schema)
        return try database.query("""
            SELECT * FROM images i WHERE variant = 'original' AND status = 'completed'
              AND NOT EXISTS (SELECT 1 FROM image_fingerprints f WHERE f.image_id = i.id)
            ORDER BY generated_at, id LIMIT ?
            """, [.integer(Int64(limit))]).map(imageRecord(from:))
    }

    public func fingerprints() throws -> [ImageFingerprint] {
        try migrate(TakedownSchema.schema)
        return try database.query("""
            SELECT i.id, i.content_sha256, f.dhash FROM images i JOIN image_fingerprints f ON f.image_id = i.id
            WHERE i.variant = 'original' AND i.status = 'completed'
            """).compactMap { row in
            guard let id = row["id"]?.string, let hash = row["dhash"]?.string.flatMap(PerceptualHash.init(hex:)) else { return nil }
            return ImageFingerprint(imageID: id, contentSHA256: row["content_sha256"]?.string ?? "", hash: hash)
        }
    }

    public func images(withSHA256 hex: String) throws -> [ImageRecord] {
        try migrate(TakedownSchema.schema)
        return try database.query("SELECT * FROM images WHERE content_sha256 = ? AND status = 'completed' ORDER BY id",
                                  [.text(hex.lowercased())]).map(imageRecord(from:))
    }

    public func openTakedown(_ request: TakedownRecord) throws {
        try migrate(TakedownSchema.schema)
        try database.query("""
            INSERT INTO takedowns (id, target_kind, target, reason, requested_by, requested_at, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(request.id), .text(request.targetKind), .text(request.target), .text(request.reason),
                  .text(request.requestedBy), .integer(ms(request.requestedAt)), .integer(ms(request.receivedAt))])
    }

    public func commitTakedown(id: String, originals: [String], tombstones: [Tombstone], cleanup: TakedownCleanup,
                               now: Date) throws {
        try migrate(TakedownSchema.schema)
        let hasUploads = !(try database.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'uploads'")).isEmpty
        try database.transaction {
            let ids = try SQLiteCatalog.encode(originals)
            let affected = try database.query("""
                SELECT id FROM images WHERE id IN (SELECT value FROM json_each(?1))
                   OR parent_id IN (SELECT value FROM json_each(?1))
                """, [.text(ids)]).compactMap { $0["id"]?.string }
            let all = try SQLiteCatalog.encode(affected)
            try database.query("UPDATE images SET status = 'taken_down' WHERE id IN (SELECT value FROM json_each(?))", [.text(all)])
            if hasUploads {
                try database.query("DELETE FROM uploads WHERE image_id IN (SELECT value FROM json_each(?))", [.text(all)])
            }
            for t in tombstones {
                try database.query("""
                    INSERT INTO tombstones (image_id, takedown_id, content_sha256, dhash, template, seed, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (image_id) DO NOTHING
                    """, [.text(t.imageID), .text(t.takedownID), .text(t.contentSHA256), t.hash.map { .text($0.description) } ?? .null,
                          t.template.map { .text($0) } ?? .null, t.seed.map { .integer(Int64($0)) } ?? .null, .integer(ms(now))])
            }
            try database.query("UPDATE takedowns SET committed_at = ?, images = ?, cleanup = ? WHERE id = ?",
                               [.integer(ms(now)), .text(ids), .text(try SQLiteCatalog.encode(cleanup)), .text(id)])
        }
    }

    public func completeTakedown(id: String, error: String?, now: Date) throws {
        try migrate(TakedownSchema.schema)
        if let error {
            try database.query("UPDATE takedowns SET last_error = ? WHERE id = ?", [.text(error), .text(id)])
        } else {
            try database.query("UPDATE takedowns SET completed_at = ?, last_error = NULL WHERE id = ?", [.integer(ms(now)), .text(id)])
        }
    }

    public func takedown(id: String) throws -> TakedownRecord? {
        try migrate(TakedownSchema.schema)
        return try database.query("SELECT * FROM takedowns WHERE id = ?", [.text(id)]).first.map(Self.takedown(from:))
    }

    public func takedowns(limit: Int) throws -> [TakedownRecord] {
        try migrate(TakedownSchema.schema)
        return try database.query("SELECT * FROM takedowns ORDER BY received_at DESC, id DESC LIMIT ?", [.integer(Int64(limit))])
            .map(Self.takedown(from:))
    }

    public func tombstone(template: String, seed: UInt32) throws -> Tombstone? {
        try migrate(TakedownSchema.schema)
        return try database.query("SELECT * FROM tombstones WHERE template = ? AND seed = ? LIMIT 1",
                                  [.text(template), .integer(Int64(seed))]).first.map(Self.tombstone(from:))
    }

    public func tombstones() throws -> [Tombstone] {
        try migrate(TakedownSchema.schema)
        return try database.query("SELECT * FROM tombstones ORDER BY created_at, image_id").map(Self.tombstone(from:))
    }

    package static func takedown(from r: SQLiteDatabase.Row) -> TakedownRecord {
        func date(_ name: String) -> Date? { r[name]?.int.map { Date(timeIntervalSince1970: Double($0) / 1000) } }
        return TakedownRecord(
            id: r["id"]?.string ?? "", targetKind: r["target_kind"]?.string ?? "", target: r["target"]?.string ?? "",
            reason: r["reason"]?.string ?? "", requestedAt: date("requested_at") ?? Date(timeIntervalSince1970: 0),
            receivedAt: date("received_at") ?? Date(timeIntervalSince1970: 0), committedAt: date("committed_at"),
            completedAt: date("completed_at"), images: decode([String].self, r["images"]?.string) ?? [],
            cleanup: decode(TakedownCleanup.self, r["cleanup"]?.string) ?? TakedownCleanup(),
            lastError: r["last_error"]?.string, requestedBy: r["requested_by"]?.string ?? "")
    }

    package static func tombstone(from r: SQLiteDatabase.Row) -> Tombstone {
        Tombstone(imageID: r["image_id"]?.string ?? "", takedownID: r["takedown_id"]?.string ?? "",
                  contentSHA256: r["content_sha256"]?.string ?? "", hash: r["dhash"]?.string.flatMap(PerceptualHash.init(hex:)),
                  template: r["template"]?.string, seed: r["seed"]?.int.flatMap { UInt32(exactly: $0) })
    }
}
