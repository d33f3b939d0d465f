import Foundation
@testable import Host
@testable import CatalogSQLite

/// Every row of a catalog table, ordered, for row-by-row comparison of two catalogs.
enum CatalogRows {
    static func of(_ table: String, in path: String) throws -> [SQLiteDatabase.Row] {
        let database = try SQLiteDatabase(path: path, readOnly: true)
        return try database.query("SELECT * FROM \(table) ORDER BY id")
    }

    static func byID(_ rows: [SQLiteDatabase.Row]) -> [String: SQLiteDatabase.Row] {
        Dictionary(uniqueKeysWithValues: rows.map { row in
            let id: String = switch row["id"] {
            case .text(let text)?: text
            case .integer(let number)?: String(number)
            default: "?"
            }
            return (id, row)
        })
    }
}
