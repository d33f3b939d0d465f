import Foundation
import XCTest
import Catalog
import CatalogSQLite

/// The storage contract run against `SQLiteCatalog`, each test on a fresh file in its own
/// temporary folder.
final class SQLiteCatalogContractTests: CatalogContractTests {
    private var folders: [String] = []

    override func tearDownWithError() throws {
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
        folders = []
        try super.tearDownWithError()
    }

    override func makeStore() throws -> any CatalogStore {
        let folder = TestEnvironment.temporaryDirectory("catalog-contract")
        folders.append(folder)
        return try SQLiteCatalog(path: folder + "/catalog.sqlite")
    }

    override func reopen(_ store: inout (any CatalogStore)?) throws -> any CatalogStore {
        let path: String
        weak var closed: SQLiteCatalog?
        do {
            let catalog = try XCTUnwrap(store as? SQLiteCatalog, "not a SQLiteCatalog: \(type(of: store))")
            path = catalog.path
            closed = catalog
        }
        store = nil
        // The last reference is gone, so the connection is closed (sqlite3_close_v2 in deinit):
        // what the new one reads comes from the file, not from a live connection.
        XCTAssertNil(closed, "the old catalog is still referenced, so its connection was not closed")
        return try SQLiteCatalog(path: path)
    }

    override func connectAgain(to store: any CatalogStore) throws -> any CatalogStore {
        let catalog = try XCTUnwrap(store as? SQLiteCatalog, "not a SQLiteCatalog: \(type(of: store))")
        return try SQLiteCatalog(path: catalog.path)
    }

    override func makeAlertStore(on store: any CatalogStore) throws -> any AlertStore {
        try CatalogAlertStore(catalog: try XCTUnwrap(store as? SQLiteCatalog))
    }

    override func makeSlotRunStore(on store: any CatalogStore) throws -> any SlotRunStore {
        try CatalogSlotRunStore(catalog: try XCTUnwrap(store as? SQLiteCatalog))
    }

    override func makeQuotaUsageStore(on store: any CatalogStore) throws -> any QuotaUsageStore {
        CatalogQuotaUsageStore(catalog: try XCTUnwrap(store as? SQLiteCatalog))
    }
}
