import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Appends each notification as one JSON line to a file.
///
/// Each line goes out in a single `write(2)` on a descriptor opened with `O_APPEND`, so lines from
/// concurrent writers (even other processes) never interleave on a local file system, and it is
/// fsynced before `deliver` returns. The file is created with mode 0600.
package final class FileAlertSink: AlertSink {
    package let name = "file"
    package let path: String
    private let lock = Mutex(())

    package init(path: String) { self.path = path }

    package func deliver(_ notification: AlertNotification) async throws(AlertSinkError) {
        var line = notification.encodedJSON()
        line.append(0x0A)
        try lock.withLock { _ throws(AlertSinkError) in try append(line) }
    }

    private func append(_ bytes: Data) throws(AlertSinkError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .fileWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { raw -> Int in
            var n: Int
            repeat { n = write(fd, raw.baseAddress, raw.count) } while n < 0 && errno == EINTR
            return n
        }
        guard written == bytes.count else {
            let reason = written < 0 ? String(cString: strerror(errno)) : "short write of \(written) of \(bytes.count) bytes"
            throw .fileWrite(path: path, reason: reason)
        }
        guard fsync(fd) == 0 else { throw .fileWrite(path: path, reason: String(cString: strerror(errno))) }
    }
}
