import Foundation
import Catalog

/// Releasing a quarantined original, as on SQLite (compare-and-set on the status).
extension PostgresCatalog: QuarantineStore {
    package func releaseQuarantine(imageID: String) throws -> Bool {
        try !db.query("""
            UPDATE images SET status = 'completed' WHERE id = $1 AND variant = 'original' AND status = 'quarantined' RETURNING id
            """, [.text(imageID)]).isEmpty
    }
}
