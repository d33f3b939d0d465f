/// What a catalog snapshot holds, for a backup's manifest: the schema versions (whole catalog and
/// each module) and the row counts a restore can be checked against.
public struct CatalogSnapshot: Sendable, Equatable {
    public var schemaVersion: Int
    public var modules: [String: Int]
    public var jobs: Int
    public var images: Int
    public var ledger: Int
    /// The image rows *in the snapshot* (not the live catalog): the files a backup must hold so
    /// that every image the restored catalog lists comes back.
    public var imageFiles: [CatalogImageFile]
    public init(schemaVersion: Int, modules: [String: Int], jobs: Int, images: Int, ledger: Int,
                imageFiles: [CatalogImageFile] = []) {
        self.schemaVersion = schemaVersion
        self.modules = modules
        self.jobs = jobs
        self.images = images
        self.ledger = ledger
        self.imageFiles = imageFiles
    }
}
