import Foundation
import Catalog

extension SQLiteCatalog: QuarantineStore {
    public func releaseQuarantine(imageID: String) throws -> Bool {
        try database.transaction {
            try database.query("UPDATE images SET status = 'completed' WHERE id = ? AND variant = 'original' AND status = 'quarantined'",
                               [.text(imageID)])
            return database.changes == 1
        }
    }
}
