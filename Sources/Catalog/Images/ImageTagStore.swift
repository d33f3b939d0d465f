import ImagegenCore

/// Replacing an image's tags (the web app's editable tags). The catalog row is what listings
/// filter on; the caller brings the sidecar in line after.
public protocol ImageTagStore: Sendable {
    /// Sets the tags of image `imageID` and answers the updated record; nil when there is no such image.
    func setTags(imageID: String, tags: [String]) throws -> ImageRecord?
}
