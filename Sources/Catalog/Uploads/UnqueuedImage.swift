/// A catalog image that has no upload queue row yet: what `UploadQueue.reconcile` repairs.
package struct UnqueuedImage: Sendable, Equatable {
    package var imageID: String
    package var filePath: String
    /// `original` for the generated image; anything else is a derivative.
    package var variant: String
    package init(imageID: String, filePath: String, variant: String) {
        self.imageID = imageID
        self.filePath = filePath
        self.variant = variant
    }
}
