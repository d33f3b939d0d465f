import Foundation
import Glibc

/// One job runner per data folder: an exclusive `flock` on `<data>/runner.lock`. The kernel
/// drops it when the process dies, so a restarted host takes over at once; a second process
/// (the CLI while `serve` runs) only queues jobs and lets the lock holder run them.
public final class RunnerLock: @unchecked Sendable {
    let fd: Int32

    /// nil when another process holds the lock.
    public init?(dataDirectory: String) {
        try? FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let fd = open(dataDirectory + "/runner.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
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
