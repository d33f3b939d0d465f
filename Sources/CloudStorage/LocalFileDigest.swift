import Foundation
import Crypto

/// Size and SHA-256 of a local file, computed in bounded memory (1 MiB reads).
///
/// This is what an upload worker computes first: it decides whether the object already in the bucket
/// is the same file (skip), signs and checksums the upload, and verifies the stored object afterwards.
package struct LocalFileDigest: Sendable, Hashable {
    package let path: String
    package let size: Int64
    package let sha256: SHA256Digest

    package init(path: String, size: Int64, sha256: SHA256Digest) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }

    package static func compute(fileAt path: String) throws(S3Error) -> LocalFileDigest {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .localFile(path: path, reason: "the file does not exist or is not readable")
        }
        // try?: closing a file opened for reading loses nothing
        defer { try? handle.close() }
        var hasher = SHA256Hasher()
        var size: Int64 = 0
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(chunk)
                size += Int64(chunk.count)
            }
        } catch {
            throw .localFile(path: path, reason: "reading failed (\(error.localizedDescription))")
        }
        return LocalFileDigest(path: path, size: size, sha256: hasher.finalize())
    }
}
