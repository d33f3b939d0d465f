import DurableFiles
/// One uploader per data folder owns the right to reset interrupted uploads: an exclusive lock
/// on `<data>/uploads.lock`. Rows left `uploading` by a dead process can only be reset by the lock
/// holder (others wait for the row's lease), so a `storage sync` next to a running `serve` never
/// takes over a file serve is sending.
package final class UploadLock: FolderLock, @unchecked Sendable {
    /// nil when another process holds the lock.
    package init?(dataDirectory: String) {
        super.init(dataDirectory: dataDirectory, file: "uploads.lock")
    }
}
