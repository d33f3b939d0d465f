import Foundation
import Catalog

extension SQLiteCatalog: AlertStoreOpening {
    /// The `alerts` table's store, migrated first.
    public func openAlertStore() throws -> any AlertStore {
        try CatalogAlertStore(catalog: self)
    }
}
