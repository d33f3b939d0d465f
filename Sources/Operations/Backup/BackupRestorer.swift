import Foundation
import Glibc
import Catalog
import CloudStorage
import DurableFiles

/// Restores a backup into an empty data folder: verify everything first, build the new folder beside
/// the target (image files copied from the blob store and checked against the manifest's SHA-256),
/// move it into place in one rename, then bring back from the cloud copy any image the backup left
/// to it.
///
/// Takedowns made after the backup are honoured: the files of a taken-down image are not installed
/// (their blobs are gone anyway) and the restored catalog records the takedown (`BackupWithdrawal`).
///
/// The order matters: a damaged archive or blob, or a non-empty target, is refused before anything
/// is written, and the target only ever holds nothing or the complete restored catalog, config,
/// templates, audit log and image files.
package struct BackupRestorer: Sendable {
    package var dataDirectory: String
    /// How the restored catalog file is checked and opened (the engine that wrote it).
    package var catalogFormat: any CatalogFileFormat

    package init(dataDirectory: String, catalogFormat: any CatalogFileFormat) {
        self.dataDirectory = dataDirectory
        self.catalogFormat = catalogFormat
    }

    /// What `restoreFiles` put in place.
    package struct Restored: Sendable {
        package var manifest: BackupManifest
        /// Installed files, relative to the data folder.
        package var files: [String]
    }

    /// Verifies `archive` (a `.tar.gz` or a backup folder) completely, then installs it into the data
    /// folder, which must be new or empty. Throws before writing anything if the target is not empty
    /// or any part of the archive or any image blob is damaged. `blobs` nil: the `blobs` folder
    /// beside the archive (where a local backup put them).
    package func restoreFiles(archive: String, blobs: (any BackupBlobStore)? = nil) async throws(RestoreError) -> Restored {
        try checkTarget()
        let work = try makeWorkDirectory()
        // try?: cleanup of the scratch folder; the restore's own outcome stands
        defer { try? FileManager.default.removeItem(atPath: work) }
        let verified = try BackupVerifier.open(archive, workDirectory: work + "/unpacked")
        let store = blobs ?? LocalBackupBlobStore(destination: (archive as NSString).deletingLastPathComponent)
        let files = try await install(verified, blobs: store, workDirectory: work)
        return Restored(manifest: verified.manifest, files: files)
    }

    /// Brings back image files that the restored catalog lists but the folder lacks, from the cloud
    /// copy (`client` nil: count them as missing), and rebuilds missing sidecars.
    package func refetchImages(client: S3Client?, concurrency: Int = 4) async throws -> ImageRefetchReport {
        let catalog = try catalogFormat.open(path: dataDirectory + "/catalog.sqlite")
        return try await ImageRefetcher(dataDirectory: dataDirectory, client: client, concurrency: concurrency).run(catalog: catalog)
    }

    /// Refuses a target that exists and is not an empty folder.
    package func checkTarget() throws(RestoreError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataDirectory, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw .targetNotADirectory(path: dataDirectory) }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: dataDirectory).sorted()
        } catch {
            // An unreadable folder is not known to be empty: refuse rather than restore over it.
            throw .file(path: dataDirectory, reason: "cannot list it (\(error.localizedDescription))")
        }
        guard entries.isEmpty else { throw .targetNotEmpty(path: dataDirectory, entries: entries) }
    }

    /// A scratch folder beside the target (same file system, so the final move is a rename).
    package func makeWorkDirectory() throws(RestoreError) -> String {
        let parent = (dataDirectory as NSString).deletingLastPathComponent
        let work = parent + "/.imagegen-restore-\(UUID().uuidString.prefix(8))"
        do { try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true) } catch {
            throw .file(path: work, reason: "cannot create a scratch folder beside the data folder (\(error.localizedDescription))")
        }
        return work
    }

    /// Installs a verified backup: `catalog.sqlite`, `config.json5`, `templates/`, the audit log files.
    /// Returns the installed files (relative to the data folder).
    @discardableResult
    package func install(_ backup: BackupVerifier.Verified, blobs: any BackupBlobStore,
                         workDirectory: String) async throws(RestoreError) -> [String] {
        try checkTarget()
        let staging = workDirectory + "/data"
        var installed: [String] = []
        for entry in backup.manifest.files {
            let target: String
            switch entry.role {
            case .catalog: target = "catalog.sqlite"
            case .config: target = "config.json5"
            case .template: target = entry.path
            case .audit: target = String(entry.path.dropFirst("audit/".count))
            case .image, .sidecar: target = ""  // image files are blobs, listed in `images`, never in `files`
            }
            guard !target.isEmpty else { continue }
            let destination = staging + "/" + target
            do {
                try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: backup.root + "/" + entry.path, toPath: destination)
            } catch {
                throw .file(path: destination, reason: "cannot copy \(entry.path) (\(error.localizedDescription))")
            }
            installed.append(target)
        }
        // Takedowns made since this backup: their files are never installed, and the restored
        // catalog learns of them before it is moved into place (so it never lists them as stored).
        let withdrawals = try await blobs.withdrawals()
        installed += try await installImages(backup, from: blobs, into: staging, skipping: withdrawals)
        // The snapshot is a self-contained file; open it once to prove the catalog's engine accepts it.
        do {
            try catalogFormat.checkIntegrity(ofFileAt: staging + "/catalog.sqlite")
            if !withdrawals.all.isEmpty {
                let catalog = try catalogFormat.open(path: staging + "/catalog.sqlite")
                for withdrawal in withdrawals.all { try withdrawal.replay(into: catalog, now: Date()) }
            }
        } catch let error as CatalogSnapshotError {
            throw .file(path: "catalog.sqlite", reason: error.description)
        } catch {
            throw .file(path: "catalog.sqlite", reason: "the catalog's engine cannot open the restored catalog, "
                        + "or the takedowns made since the backup cannot be recorded in it (\(error))")
        }
        try moveIntoPlace(staging)
        return installed.sorted()
    }

    /// Copies every image file and sidecar of the manifest from the blob store into `staging` and
    /// checks each copy's size and SHA-256; every file that fails is named, and nothing is moved
    /// into place then.
    func installImages(_ backup: BackupVerifier.Verified, from blobs: any BackupBlobStore, into staging: String,
                       skipping withdrawals: BackupWithdrawals) async throws(RestoreError) -> [String] {
        var installed: [String] = []
        var damaged: [RestoreError.DamagedPart] = []
        for entry in backup.manifest.images ?? [] where !withdrawals.covers(path: entry.path, sha256: entry.sha256) {
            let destination = staging + "/" + entry.path
            do {
                try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
            } catch {
                throw .file(path: destination, reason: "cannot create its folder (\(error.localizedDescription))")
            }
            let blob = "blob \(entry.sha256) in \(blobs.location)"
            do {
                let copied = try await blobs.fetch(sha256: entry.sha256.lowercased(), to: destination)
                if copied.size != entry.size || copied.sha256.hex != entry.sha256.lowercased() {
                    damaged.append(.init(part: entry.path, detail: "\(blob) is \(copied.size) bytes with SHA-256 \(copied.sha256.hex); "
                                         + "the manifest says \(entry.size) bytes, SHA-256 \(entry.sha256)"))
                } else {
                    installed.append(entry.path)
                }
            } catch {
                damaged.append(.init(part: entry.path, detail: "\(blob): \(error.description)"))
            }
        }
        guard damaged.isEmpty else { throw .damaged(archive: backup.root, parts: damaged) }
        return installed
    }

    /// rename(2) replaces an empty folder atomically, and fails (ENOTEMPTY) if something appeared in it.
    func moveIntoPlace(_ staging: String) throws(RestoreError) {
        let parent = (dataDirectory as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw .file(path: parent, reason: "cannot create it (\(error.localizedDescription))")
        }
        guard Glibc.rename(staging, dataDirectory) == 0 else {
            if errno == ENOTEMPTY || errno == EEXIST {
                // try?: only names entries for the targetNotEmpty error thrown here either way
                let entries = ((try? FileManager.default.contentsOfDirectory(atPath: dataDirectory)) ?? []).sorted()
                throw .targetNotEmpty(path: dataDirectory, entries: entries)
            }
            throw .file(path: dataDirectory, reason: "cannot move the restored folder into place (\(String(cString: strerror(errno))))")
        }
        AtomicFile.syncDirectory(parent)
    }
}
