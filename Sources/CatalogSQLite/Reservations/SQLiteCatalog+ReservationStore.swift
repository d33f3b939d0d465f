import Foundation
import Catalog
import ImagegenCore

extension SQLiteCatalog: ReservationStore {
    /// Reserves an image for a post. An image holds at most one active reservation, so it is
    /// never promised to two posts (checked and inserted in one transaction).
    public func reserve(imageID: String, channel: String, day: String, now: Date = Date()) throws -> Reservation {
        try migrate(ContentSchema.schema)
        guard day.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else { throw ReservationError.invalidDay(day) }
        return try database.transaction {
            guard let found = try image(imageID) else { throw ReservationError.unknownImage(imageID) }
            guard found.variant == "original" else { throw ReservationError.derivative(id: imageID, original: found.parentID) }
            if let existing = try activeReservation(imageID: imageID) {
                throw ReservationError.alreadyReserved(imageID: imageID, by: existing)
            }
            let r = Reservation(id: RecordID.make("res"), imageID: imageID, channel: channel, day: day, createdAt: now, releasedAt: nil)
            try database.query("INSERT INTO reservations (id, image_id, channel, day, created_at) VALUES (?, ?, ?, ?, ?)",
                               [.text(r.id), .text(imageID), .text(channel), .text(day), .integer(ms(now))])
            return r
        }
    }

    public func releaseReservation(imageID: String, now: Date = Date()) throws -> Reservation {
        try migrate(ContentSchema.schema)
        return try database.transaction {
            guard var r = try activeReservation(imageID: imageID) else { throw ReservationError.notFound(imageID) }
            try database.query("UPDATE reservations SET released_at = ? WHERE id = ?", [.integer(ms(now)), .text(r.id)])
            r.releasedAt = now
            return r
        }
    }

    public func activeReservation(imageID: String) throws -> Reservation? {
        try migrate(ContentSchema.schema)
        return try database.query("SELECT * FROM reservations WHERE image_id = ? AND released_at IS NULL", [.text(imageID)]).first.map { r in
            Reservation(id: r["id"]?.string ?? "", imageID: r["image_id"]?.string ?? "", channel: r["channel"]?.string ?? "",
                        day: r["day"]?.string ?? "", createdAt: Date(timeIntervalSince1970: Double(r["created_at"]?.int ?? 0) / 1000),
                        releasedAt: nil)
        }
    }

    /// Stored originals with no active reservation that were not rejected, newest first.
    public func availableImages(category: String?, tag: String?, limit: Int = 100) throws -> [ImageRecord] {
        var filter = ImageFilter(category: category, tag: tag, limit: limit)
        filter.availableOnly = true
        return try images(filter)
    }
}
