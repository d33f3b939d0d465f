import Foundation
import CloudStorage

/// Where a backup keeps image files: one blob per distinct content, named by its SHA-256, shared by
/// every backup at the destination. A second backup of an unchanged library stores nothing new; a
/// backup's manifest says which blob each image path is.
///
/// A blob is written under a temporary name and renamed (locally) or PUT whole (S3), so a killed
/// backup leaves complete blobs or none, and the next run reuses what is there.
package protocol BackupBlobStore: Sendable {
    /// Where the blobs live, for messages (`/mnt/backups/blobs`, `s3://bucket/prefix/blobs`).
    var location: String { get }
    /// The stored blob's size, or nil when there is none.
    func storedSize(sha256: String) async throws(BackupError) -> Int64?
    /// Stores the file at `path`, whose digest is `digest`; a blob already there is kept.
    func put(fileAt path: String, digest: LocalFileDigest) async throws(BackupError)
    /// Copies the blob to `path` (its folder exists) and returns the digest of what was written.
    func fetch(sha256: String, to path: String) async throws(RestoreError) -> LocalFileDigest
}

/// The blob folder beside the backups: `<destination>/blobs/<first two hex>/<sha256>`.
package struct LocalBackupBlobStore: BackupBlobStore {
    package static let folderName = "blobs"
    package let root: String

    package init(root: String) { self.root = root }

    /// The blob store of a local destination folder, or of the folder holding a backup.
    package init(destination: String) { self.init(root: destination + "/" + Self.folderName) }

    package var location: String { root }

    package func path(sha256: String) -> String {
        root + "/" + String(sha256.prefix(2)) + "/" + sha256
    }

    package func storedSize(sha256: String) async throws(BackupError) -> Int64? {
        var info = stat()
        guard lstat(path(sha256: sha256), &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .file(path: path(sha256: sha256), reason: "cannot read it (\(String(cString: strerror(errno))))")
        }
        return Int64(info.st_size)
    }

    package func put(fileAt source: String, digest: LocalFileDigest) async throws(BackupError) {
        let final = path(sha256: digest.sha256.hex)
        let folder = (final as NSString).deletingLastPathComponent
        try BackupWriter.createDirectory(folder)
        let temporary = root + "/.tmp-\(UUID().uuidString.prefix(12))"
        do { try FileManager.default.copyItem(atPath: source, toPath: temporary) } catch {
            throw .file(path: source, reason: "cannot copy it into the backup's blob store \(root) (\(error.localizedDescription))")
        }
        // The copy is checked before it takes the name that vouches for its content.
        let copied: LocalFileDigest
        do { copied = try LocalFileDigest.compute(fileAt: temporary) } catch {
            // try?: removing the unverifiable copy; the read error below is the one reported
            try? FileManager.default.removeItem(atPath: temporary)
            throw .file(path: temporary, reason: error.description)
        }
        guard copied.sha256 == digest.sha256, copied.size == digest.size else {
            // try?: removing a copy that does not match; the mismatch below is the error reported
            try? FileManager.default.removeItem(atPath: temporary)
            throw .file(path: source, reason: "it changed while it was being backed up (SHA-256 \(digest.sha256.hex), "
                        + "copied \(copied.sha256.hex)); run the backup again")
        }
        BackupWriter.syncFile(temporary)
        try BackupWriter.rename(temporary, to: final)
    }

    package func fetch(sha256: String, to destination: String) async throws(RestoreError) -> LocalFileDigest {
        let source = path(sha256: sha256)
        guard FileManager.default.fileExists(atPath: source) else {
            throw .file(path: source, reason: "the blob is missing from \(root)")
        }
        do { try FileManager.default.copyItem(atPath: source, toPath: destination) } catch {
            throw .file(path: source, reason: "cannot copy it to \(destination) (\(error.localizedDescription))")
        }
        do { return try LocalFileDigest.compute(fileAt: destination) } catch {
            throw .file(path: destination, reason: error.description)
        }
    }
}
