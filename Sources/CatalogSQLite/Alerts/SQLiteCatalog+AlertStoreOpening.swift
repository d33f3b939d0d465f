import Foundation
import Catalog

extension SQLiteCatalog: AlertStoreOpening {
    /// The `alerts` table's store, migrated first.
    package func openAlertStore() throws -> any AlertStore {
        try CatalogAlertStore(catalog: self)
    }
}
