import Foundation
import Catalog

extension CatalogSlotRunStore: SchedulerStartStore {}

extension SQLiteCatalog: SlotRunStoreOpening {
    /// The `slot_runs` table's store, migrated first.
    public func openSlotRunStore() throws -> any SlotRunStore & SchedulerStartStore {
        try CatalogSlotRunStore(catalog: self)
    }
}
