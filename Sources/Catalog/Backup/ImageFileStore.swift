/// Which files the catalog says exist: what a restore compares with the data folder.
package protocol ImageFileStore: Sendable {
    /// Every image row (originals and derivatives), oldest first. One read.
    func imageFiles() throws -> [CatalogImageFile]
}

/// One image row as a file: its id, path relative to the data folder, and content SHA-256
/// (lower-case hex; empty when the catalog has none).
package struct CatalogImageFile: Sendable, Equatable {
    package var imageID: String
    package var filePath: String
    package var sha256: String
    package init(imageID: String, filePath: String, sha256: String) {
        self.imageID = imageID
        self.filePath = filePath
        self.sha256 = sha256
    }
}
