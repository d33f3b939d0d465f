/// A catalog that holds the alerts: opening the store creates or upgrades its table, so it is
/// done by whoever needs the alerts (`imagegen alerts`, the operations loop), not on every open
/// of the catalog.
public protocol AlertStoreOpening: Sendable {
    /// The alert store on this catalog, its table created or upgraded first.
    func openAlertStore() throws -> any AlertStore
}
