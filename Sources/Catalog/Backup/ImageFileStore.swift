/// Which files the catalog says exist: what a restore compares with the data folder.
public protocol ImageFileStore: Sendable {
    /// Every image row (originals and derivatives) that has a file, oldest first: taken-down images
    /// have none (their files were deleted on purpose) and are never backed up or fetched back. One read.
    func imageFiles() throws -> [CatalogImageFile]
}

/// One image row as a file: its id, path relative to the data folder, and content SHA-256
/// (lower-case hex; empty when the catalog has none).
public struct CatalogImageFile: Sendable, Equatable {
    public var imageID: String
    public var filePath: String
    public var sha256: String
    public init(imageID: String, filePath: String, sha256: String) {
        self.imageID = imageID
        self.filePath = filePath
        self.sha256 = sha256
    }
}
