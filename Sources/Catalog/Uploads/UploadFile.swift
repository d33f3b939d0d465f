/// A file to put in the upload queue: its path (relative to the data folder, the queue's natural
/// key), the image it belongs to, and what kind of file it is.
package struct UploadFile: Sendable, Equatable {
    package var filePath: String
    package var imageID: String
    package var kind: UploadKind
    package init(filePath: String, imageID: String, kind: UploadKind) {
        self.filePath = filePath
        self.imageID = imageID
        self.kind = kind
    }
}
