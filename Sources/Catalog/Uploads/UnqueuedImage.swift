/// A catalog image that has no upload queue row yet: what `UploadQueue.reconcile` repairs.
public struct UnqueuedImage: Sendable, Equatable {
    public var imageID: String
    public var filePath: String
    /// `original` for the generated image; anything else is a derivative.
    public var variant: String
    public init(imageID: String, filePath: String, variant: String) {
        self.imageID = imageID
        self.filePath = filePath
        self.variant = variant
    }
}
