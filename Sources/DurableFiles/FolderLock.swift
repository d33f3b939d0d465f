import Foundation
import Glibc
import Synchronization

/// An exclusive, non-blocking `flock` on a file in the data folder. The kernel drops it when the
/// process dies, so a restarted process takes over at once. `RunnerLock` and `UploadLock` are
/// the two roles that use it.
open class FolderLock: @unchecked Sendable {
    let fd: Int32
    private let held = Mutex(true)

    /// nil when another process holds the lock.
    package init?(dataDirectory: String, file: String) {
        // try?: a folder that cannot be created makes the open() below fail, and the caller reports the lock as unavailable
        try? FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let fd = open(dataDirectory + "/" + file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
    }

    /// Gives the lock up now rather than when the object goes: a host that has shut down
    /// lets a new one over the same folder take over in the same process (the old object may
    /// live on in whatever still refers to it, and its lock with it).
    public func release() {
        held.withLock { held in
            guard held else { return }
            held = false
            flock(fd, LOCK_UN)
            close(fd)
        }
    }

    deinit { release() }
}
