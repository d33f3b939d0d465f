/// What a catalog snapshot holds, for a backup's manifest: the schema versions (whole catalog and
/// each module) and the row counts a restore can be checked against.
package struct CatalogSnapshot: Sendable, Equatable {
    package var schemaVersion: Int
    package var modules: [String: Int]
    package var jobs: Int
    package var images: Int
    package var ledger: Int
    package init(schemaVersion: Int, modules: [String: Int], jobs: Int, images: Int, ledger: Int) {
        self.schemaVersion = schemaVersion
        self.modules = modules
        self.jobs = jobs
        self.images = images
        self.ledger = ledger
    }
}
