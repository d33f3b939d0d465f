import Foundation
import Glibc

/// One uploader per data folder owns the right to reset interrupted uploads: an exclusive `flock`
/// on `<data>/uploads.lock`. Rows left `uploading` by a dead process can only be reset by the lock
/// holder (others wait for the row's lease), so a `storage sync` next to a running `serve` never
/// takes over a file serve is sending. The kernel drops the lock when the process dies.
public final class UploadLock: @unchecked Sendable {
    let fd: Int32

    /// nil when another process holds the lock.
    public init?(dataDirectory: String) {
        try? FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let fd = open(dataDirectory + "/uploads.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
