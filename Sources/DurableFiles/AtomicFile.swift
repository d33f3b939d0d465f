import Foundation
import Glibc

/// Writes a file so that readers (and a crash) see either the old content or the new, never
/// a part: temp file in the same folder → write → fsync → rename → fsync the folder.
public enum AtomicFile {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    /// - Parameter syncDirectory: fsync the folder after the rename (make the rename durable).
    ///   Writers of several files in one folder pass false and call `syncDirectory` once.
    public static func write(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o644,
                             syncDirectory: Bool = true) throws(Failure) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw Failure(path: path, reason: "cannot create \(folder): \(error.localizedDescription)")
        }
        let temp = "\(folder)/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        let data = Array(bytes)
        var written = 0
        while written < data.count {
            let n = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temp)
                throw Failure(path: path, reason: reason)
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(temp)
            throw Failure(path: path, reason: "fsync: \(reason)")
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw Failure(path: path, reason: "rename: \(reason)")
        }
        if syncDirectory { AtomicFile.syncDirectory(folder) }
    }

    /// Makes `path` a second name (hard link) of the already durable file `existing`, atomically:
    /// link under a temp name, then rename over `path`. Returns false (and changes nothing) when
    /// the file system cannot link; the caller then writes the bytes instead.
    /// - Parameter syncDirectory: as for `write`.
    public static func link(_ existing: String, to path: String, syncDirectory: Bool = true) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        let temp = "\(folder)/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard Glibc.link(existing, temp) == 0 else { return false }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            return false
        }
        if syncDirectory { AtomicFile.syncDirectory(folder) }
        return true
    }

    public static func syncDirectory(_ folder: String) {
        let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }
}
