import Foundation
import CloudStorage
import Crypto
import DurableFiles

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
    /// Records `withdrawal` (first, so a crash part-way still keeps a restore from installing the
    /// files), then deletes the blobs of its files. Idempotent: a takedown resumed runs it again.
    func withdraw(_ withdrawal: BackupWithdrawal) async throws(BackupError)
    /// Every withdrawal recorded at the destination.
    func withdrawals() async throws(RestoreError) -> BackupWithdrawals
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

extension LocalBackupBlobStore {
    package func withdraw(_ withdrawal: BackupWithdrawal) async throws(BackupError) {
        let folder = root + "/" + BackupWithdrawal.folderName
        let record = folder + "/" + withdrawal.takedownID + ".json"
        try BackupWriter.createDirectory(folder)
        do {
            try AtomicFile.write(Array(try BackupWithdrawal.encode(withdrawal)), to: record)
        } catch {
            throw .file(path: record, reason: "cannot record the takedown beside the backups (\(error))")
        }
        for sha in Set(withdrawal.files.compactMap(\.sha256)) where SHA256Digest(hex: sha) != nil {
            let blob = path(sha256: sha)
            guard FileManager.default.fileExists(atPath: blob) else { continue }
            do { try FileManager.default.removeItem(atPath: blob) } catch {
                throw .file(path: blob, reason: "cannot delete the blob of a taken-down image (\(error.localizedDescription))")
            }
        }
    }

    package func withdrawals() async throws(RestoreError) -> BackupWithdrawals {
        let folder = root + "/" + BackupWithdrawal.folderName
        guard FileManager.default.fileExists(atPath: folder) else { return BackupWithdrawals([]) }
        var all: [BackupWithdrawal] = []
        do {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where name.hasSuffix(".json") {
                all.append(try BackupWithdrawal.decode(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))))
            }
        } catch {
            // A takedown record that cannot be read must stop the restore: it could bring an image back.
            throw .file(path: folder, reason: "cannot read the takedown records kept with the backups (\(error)); "
                        + "fix or restore that folder, then run the restore again")
        }
        return BackupWithdrawals(all)
    }
}
