import Foundation
import Catalog

/// The one SQL builder behind every image listing (`images(_:)`, `imagePage`, `availableImages`)
/// of both catalogs: each filter of `ImageFilter` becomes a condition, so a new filter is added
/// once. The dialect decides only placeholders and how a JSON array is read.
package struct ImageQuery {
    /// SQLite (`?`, `json_each`) or PostgreSQL (`$n`, `jsonb_array_elements_text`).
    package enum Dialect: Sendable { case sqlite, postgres }

    package var sql: String
    package var bindings: [SQLiteDatabase.Value]

    /// Whether `filter` needs the rating, review or reservation tables.
    package static func needsJoins(_ f: ImageFilter) -> Bool {
        f.review != nil || f.minRating != nil || f.rated != nil || f.availableOnly || f.reserved != nil
    }

    /// - Parameters:
    ///   - joined: select the rating, review and active reservation beside each row (`r_*`, `rv_*`, `res_*`).
    ///   - extra: rows to fetch beyond `limit` (1 to learn whether another page follows).
    ///   - id: one image only (any variant).
    package init(_ f: ImageFilter, joined: Bool, extra: Int = 0, id: String? = nil, dialect: Dialect = .sqlite,
                 ms: (Date) -> Int64) {
        var conditions: [String] = []
        var bindings: [SQLiteDatabase.Value] = []
        /// `?` in `condition` becomes this dialect's placeholder for the next value.
        func add(_ condition: String, _ values: SQLiteDatabase.Value...) {
            var text = condition
            if dialect == .postgres {
                var n = bindings.count
                text = condition.split(separator: "?", omittingEmptySubsequences: false).enumerated().map { i, part in
                    guard i > 0 else { return String(part) }
                    n += 1
                    return "$\(n)" + part
                }.joined()
            }
            conditions.append(text)
            bindings += values
        }
        let eachOf: (String) -> String = { array in
            dialect == .sqlite ? "SELECT value FROM json_each(\(array))" : "SELECT jsonb_array_elements_text((\(array))::jsonb)"
        }
        if let id { add("images.id = ?", .text(id)) }
        if let v = f.category { add("images.category = ?", .text(v)) }
        if let v = f.model { add("images.model = ?", .text(v)) }
        if let v = f.since { add("images.generated_at >= ?", .integer(ms(v))) }
        if let v = f.status { add("images.status = ?", .text(v)) }
        if let v = f.tag { add("? IN (\(eachOf("images.tags")))", .text(v)) }
        if let v = f.jobID { add("images.job_id = ?", .text(v)) }
        if id == nil && (!f.includeDerivatives || Self.needsJoins(f)) { conditions.append("images.variant = 'original'") }
        switch f.review {
        case nil: break
        case .pending?: conditions.append("rv.state IS NULL")
        case let state?: add("rv.state = ?", .text(state.rawValue))
        }
        if let v = f.minRating { add("r.rating >= ?", .integer(Int64(v))) }
        if let v = f.rated { conditions.append(v ? "r.rating IS NOT NULL" : "r.rating IS NULL") }
        if f.availableOnly {
            conditions.append("images.status = 'completed' AND res.id IS NULL AND (rv.state IS NULL OR rv.state <> 'rejected')")
        }
        if let v = f.reserved { conditions.append(v ? "res.id IS NOT NULL" : "res.id IS NULL") }
        if !f.excludedCategories.isEmpty {
            let list = "[" + f.excludedCategories.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "]"
            add("images.category NOT IN (\(eachOf("?")))", .text(list))
        }
        if let c = f.after {
            add("(images.generated_at < ? OR (images.generated_at = ? AND images.id < ?))",
                .integer(c.generatedAtMilliseconds), .integer(c.generatedAtMilliseconds), .text(c.imageID))
        }
        let needs = joined || Self.needsJoins(f)
        let columns = needs ? """
            images.*, r.rating AS r_rating, rv.state AS rv_state, rv.reason AS rv_reason, rv.reviewer AS rv_reviewer,
            rv.reviewed_at AS rv_reviewed_at, res.id AS res_id, res.channel AS res_channel, res.day AS res_day,
            res.created_at AS res_created_at
            """ : "images.*"
        let joins = needs ? """
            LEFT JOIN ratings r ON r.image_id = images.id
            LEFT JOIN image_reviews rv ON rv.image_id = images.id
            LEFT JOIN reservations res ON res.image_id = images.id AND res.released_at IS NULL
            """ : ""
        // A limit near Int.max (a hostile --limit) must not trap when the look-ahead row is added.
        let (rows, overflow) = max(0, f.limit).addingReportingOverflow(extra)
        bindings.append(.integer(Int64(overflow ? Int.max : rows)))
        let limit = dialect == .sqlite ? "?" : "$\(bindings.count)"
        sql = """
            SELECT \(columns) FROM images \(joins)
            \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY images.generated_at DESC, images.id DESC LIMIT \(limit)
            """
        self.bindings = bindings
    }
}
