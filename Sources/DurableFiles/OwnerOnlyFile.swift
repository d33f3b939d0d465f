#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file that holds secrets, but only if nobody except its owner can read or change it
/// (the same rule ssh applies to private keys). The checks run on the opened descriptor, so a
/// file swapped between check and read cannot slip through.
package enum OwnerOnlyFile {
    static let sizeLimit = 1 << 20

    package static func contents(of path: String, purpose: String) throws(ProtectedFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { throw .notFound(path: path, purpose: purpose) }
            throw .unreadable(path: path, purpose: purpose, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .unreadable(path: path, purpose: purpose, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .notRegularFile(path: path, purpose: purpose)
        }
        let permissions = UInt32(info.st_mode) & 0o7777
        guard permissions & 0o077 == 0 else {
            throw .tooPermissive(path: path, purpose: purpose, mode: permissions)
        }
        let me = geteuid()
        guard info.st_uid == me || info.st_uid == 0 else {
            throw .wrongOwner(path: path, purpose: purpose, owner: UInt32(info.st_uid), expected: UInt32(me))
        }
        guard info.st_size <= sizeLimit else {
            throw .tooLarge(path: path, purpose: purpose, bytes: Int(info.st_size))
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, purpose: purpose, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }
}
