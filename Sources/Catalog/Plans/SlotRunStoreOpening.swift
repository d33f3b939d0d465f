/// A catalog that holds the plan's slot runs: opening the store creates or upgrades its tables,
/// so it is done by whoever needs the slot runs (the plan commands, the operations loop), not
/// on every open of the catalog.
public protocol SlotRunStoreOpening: Sendable {
    /// The slot-run store on this catalog, its tables created or upgraded first.
    func openSlotRunStore() throws -> any SlotRunStore & SchedulerStartStore
}
