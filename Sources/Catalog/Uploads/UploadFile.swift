/// A file to put in the upload queue: its path (relative to the data folder, the queue's natural
/// key), the image it belongs to, and what kind of file it is.
public struct UploadFile: Sendable, Equatable {
    public var filePath: String
    public var imageID: String
    public var kind: UploadKind
    public init(filePath: String, imageID: String, kind: UploadKind) {
        self.filePath = filePath
        self.imageID = imageID
        self.kind = kind
    }
}
