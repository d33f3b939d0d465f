import Foundation
import Glibc
import Catalog
import CloudStorage
import DurableFiles
import ImagegenCore
import Crypto

/// Makes one backup: a consistent catalog snapshot (SQLite's online backup API, safe while `serve`
/// writes), the config, templates and audit log, with a manifest of SHA-256 checksums; packed with
/// the system `tar` into `imagegen-backup-<time>.tar.gz` (or left as a folder), written under a
/// temporary name and renamed into place so a crash never leaves a half archive under the real name.
/// The image files the snapshot lists go to the destination's blob store first (`BackupBlobStore`:
/// content-addressed, so only new content adds bytes). Then applies retention at the destination.
package struct BackupWriter: Sendable {
    package var sources: BackupSources
    package var format: BackupFormat
    /// nil: keep everything.
    package var retention: BackupRetention?
    /// Endpoint, region and credentials for `s3://` destinations.
    package var storage: StorageConfiguration?
    package var environment: [String: String]
    package var clock: @Sendable () -> Date
    /// Overrides how the S3 client for a destination bucket is made (tests).
    package var makeS3Client: (@Sendable (_ bucket: String) throws -> S3Client)?
    /// Whether image files go into the backup (by default always).
    package var images: BackupImagePolicy = .include
    /// Overrides how the client for the cloud copy (`storage.s3`) is made (tests).
    package var makeCloudCopyClient: (@Sendable () throws -> S3Client)?
    /// Overrides a local destination's blob store (tests: one that stops part-way, as a killed backup would).
    package var makeBlobStore: (@Sendable (_ directory: String) -> any BackupBlobStore)?

    package init(sources: BackupSources, format: BackupFormat = .tarGzip, retention: BackupRetention? = nil,
                storage: StorageConfiguration? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.sources = sources
        self.format = format
        self.retention = retention
        self.storage = storage
        self.environment = environment
        self.clock = clock
    }

    package func write(to destination: BackupDestination) async throws(BackupError) -> BackupResult {
        let name = BackupArchiveName(createdAt: clock())
        switch destination {
        case .directory(let directory):
            return try await writeLocal(name: name, directory: directory)
        case let .s3(bucket, prefix):
            return try await writeS3(name: name, bucket: bucket, prefix: prefix)
        }
    }

    // MARK: - Local

    func writeLocal(name: BackupArchiveName, directory: String) async throws(BackupError) -> BackupResult {
        try Self.createDirectory(directory)
        // Staging inside the destination keeps the final rename on one file system (atomic).
        let work = directory + "/.\(name.stem).partial-\(UUID().uuidString.prefix(8))"
        try Self.createDirectory(work)
        // try?: cleanup of the staging folder; the backup's own outcome stands
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (folder, manifest, images) = try await stage(in: work, name: name,
                                                         blobs: makeBlobStore?(directory) ?? LocalBackupBlobStore(destination: directory))
        let final = directory + "/" + name.fileName(format)
        guard !FileManager.default.fileExists(atPath: final) else {
            throw .file(path: final, reason: "a backup with this name already exists (two backups in the same second?)")
        }
        let bytes: Int64
        switch format {
        case .directory:
            bytes = manifest.files.reduce(0) { $0 + $1.size }
            try Self.rename(folder, to: final)
        case .tarGzip:
            let packed = work + "/" + name.fileName(.tarGzip)
            try SystemTar.pack(folder: folder, into: packed)
            Self.syncFile(packed)
            bytes = try Self.size(of: packed)
            try Self.rename(packed, to: final)
        }
        AtomicFile.syncDirectory(directory)
        var result = BackupResult(name: name.stem, location: final, format: format, bytes: bytes, manifest: manifest,
                                  images: images, pruned: [], retentionError: nil)
        if let retention {
            do { result.pruned = try Self.pruneLocal(directory, retention: retention) } catch {
                result.retentionError = error.description
            }
        }
        return result
    }

    static func pruneLocal(_ directory: String, retention: BackupRetention) throws(BackupError) -> [String] {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw .file(path: directory, reason: "cannot list it for retention (\(error.localizedDescription))")
        }
        var byName: [BackupArchiveName: [String]] = [:]
        for entry in entries {
            if let name = BackupArchiveName(fileName: entry) { byName[name, default: []].append(entry) }
        }
        var pruned: [String] = []
        for name in retention.prunable(Array(byName.keys)) {
            for entry in byName[name] ?? [] {
                do { try FileManager.default.removeItem(atPath: directory + "/" + entry) } catch {
                    throw .file(path: directory + "/" + entry, reason: "cannot remove it (\(error.localizedDescription))")
                }
                pruned.append(entry)
            }
        }
        return pruned
    }

    // MARK: - S3

    func writeS3(name: BackupArchiveName, bucket: String, prefix: String) async throws(BackupError) -> BackupResult {
        let client = try s3Client(bucket: bucket, destination: "s3://\(bucket)/\(prefix)")
        let work = NSTemporaryDirectory() + "imagegen-backup-\(UUID().uuidString.prefix(8))"
        try Self.createDirectory(work)
        // try?: cleanup of the staging folder; the backup's own outcome stands
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (folder, manifest, images) = try await stage(in: work, name: name,
                                                         blobs: S3BackupBlobStore(client: client, backupsPrefix: prefix))
        let packed = work + "/" + name.fileName(.tarGzip)
        try SystemTar.pack(folder: folder, into: packed)
        let key = (prefix.isEmpty ? "" : prefix + "/") + name.fileName(.tarGzip)
        let uploaded: S3UploadResult
        do {
            uploaded = try await client.upload(fileAt: packed, key: key, contentType: "application/gzip",
                                               metadata: try Self.archiveMetadata(manifest))
        } catch {
            throw .s3(error)
        }
        var result = BackupResult(name: name.stem, location: "s3://\(bucket)/\(key)", format: .tarGzip, bytes: uploaded.size,
                                  manifest: manifest, images: images, pruned: [], retentionError: nil)
        if let retention {
            do { result.pruned = try await Self.pruneS3(client, prefix: prefix, retention: retention) } catch {
                result.retentionError = error.description
            }
        }
        return result
    }

    func s3Client(bucket: String, destination: String) throws(BackupError) -> S3Client {
        if let makeS3Client {
            do { return try makeS3Client(bucket) } catch { throw .storageClient("\(error)") }
        }
        guard let storage else { throw .s3NotConfigured(destination: destination) }
        do { return try storage.makeClient(bucket: bucket, environment: environment) } catch {
            throw .storageClient(error.description)
        }
    }

    static func archiveMetadata(_ manifest: BackupManifest) throws(S3Error) -> S3ObjectMetadata {
        var metadata = S3ObjectMetadata()
        do throws(S3ObjectMetadataError) {
            try metadata.set("kind", "backup")
            try metadata.set("format-version", String(manifest.formatVersion))
            try metadata.set("created-at", manifest.createdAt)
            try metadata.set("imagegen-version", manifest.imagegenVersion)
        } catch {
            throw .invalidRequest(error.description)
        }
        return metadata
    }

    /// Backups under `prefix` as (name, key), for retention and for the scheduler's catch-up.
    static func listS3(_ client: S3Client, prefix: String) async throws(S3Error) -> [(BackupArchiveName, String)] {
        let listPrefix = (prefix.isEmpty ? "" : prefix + "/") + BackupArchiveName.prefix
        return try await client.listObjects(prefix: listPrefix).compactMap { object in
            let file = String(object.key.split(separator: "/").last ?? "")
            return BackupArchiveName(fileName: file).map { ($0, object.key) }
        }
    }

    static func pruneS3(_ client: S3Client, prefix: String, retention: BackupRetention) async throws(S3Error) -> [String] {
        let listed = try await listS3(client, prefix: prefix)
        let prunable = Set(retention.prunable(listed.map(\.0)))
        var pruned: [String] = []
        for (name, key) in listed where prunable.contains(name) {
            try await client.deleteObject(key: key)
            pruned.append(key)
        }
        return pruned
    }

    // MARK: - Staging

    /// Writes `<work>/<stem>/` with the catalog snapshot, config, templates, audit files and manifest,
    /// after storing the snapshot's image files in `blobs`.
    func stage(in work: String, name: BackupArchiveName,
               blobs: any BackupBlobStore) async throws(BackupError) -> (folder: String, manifest: BackupManifest, images: BackupImageStats) {
        let folder = work + "/" + name.stem
        try Self.createDirectory(folder)
        var entries: [(String, BackupManifest.Role)] = []

        let snapshot = try snapshotCatalog(to: folder + "/catalog.sqlite")
        let catalogInfo = BackupManifest.CatalogInfo(schemaVersion: snapshot.schemaVersion, modules: snapshot.modules,
                                                     jobs: snapshot.jobs, images: snapshot.images, ledger: snapshot.ledger)
        entries.append(("catalog.sqlite", .catalog))

        var configOriginalPath: String?
        if let config = sources.configFile, FileManager.default.fileExists(atPath: config) {
            try Self.copy(config, to: folder + "/config/config.json5")
            entries.append(("config/config.json5", .config))
            configOriginalPath = config
        }
        for relative in sources.templateFiles() {
            try Self.copy(sources.templatesDirectory + "/" + relative, to: folder + "/templates/" + relative)
            entries.append(("templates/" + relative, .template))
        }
        for file in try sources.auditFiles() {
            try Self.copy(sources.dataDirectory + "/" + file, to: folder + "/audit/" + file)
            entries.append(("audit/" + file, .audit))
        }

        var files: [BackupManifest.Entry] = []
        for (path, role) in entries {
            let digest: LocalFileDigest
            do { digest = try LocalFileDigest.compute(fileAt: folder + "/" + path) } catch {
                throw .file(path: folder + "/" + path, reason: error.description)
            }
            files.append(.init(path: path, role: role, size: digest.size, sha256: digest.sha256.hex))
        }
        let (imageEntries, stats) = try await storeImages(snapshot.imageFiles, in: blobs)
        let manifest = BackupManifest(format: BackupManifest.formatName, formatVersion: BackupManifest.currentFormatVersion,
                                      createdAt: Self.iso8601(name.createdAt), imagegenVersion: ImagegenVersion.current,
                                      configOriginalPath: configOriginalPath, catalog: catalogInfo, files: files,
                                      images: imageEntries, imagesInCloudCopy: stats.inCloudCopy.isEmpty ? nil : stats.inCloudCopy)
        let manifestBytes: Data
        do { manifestBytes = try manifest.encoded() } catch {
            throw .file(path: folder + "/" + BackupManifest.fileName, reason: "cannot encode the manifest (\(error))")
        }
        try Self.writeFile(manifestBytes, to: folder + "/" + BackupManifest.fileName)
        let checksum = "\(SHA256Digest.of(manifestBytes).hex)  \(BackupManifest.fileName)\n"
        try Self.writeFile(Data(checksum.utf8), to: folder + "/" + BackupManifest.checksumFileName)
        return (folder, manifest, stats)
    }

    /// The catalog copies a consistent snapshot of itself even while other connections write
    /// (`CatalogSnapshotting`); the copy is checked and counted for the manifest.
    func snapshotCatalog(to path: String) throws(BackupError) -> CatalogSnapshot {
        do {
            return try sources.catalog.snapshot(to: path)
        } catch let error as CatalogSnapshotError {
            throw .catalogSnapshot("the snapshot \(error)")
        } catch {
            throw .catalogSnapshot("\(error)")
        }
    }

    // MARK: - Files

    static func createDirectory(_ path: String) throws(BackupError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw .file(path: path, reason: "cannot create the folder (\(error.localizedDescription))")
        }
    }

    static func copy(_ source: String, to destination: String) throws(BackupError) {
        try createDirectory((destination as NSString).deletingLastPathComponent)
        do { try FileManager.default.copyItem(atPath: source, toPath: destination) } catch {
            throw .file(path: source, reason: "cannot copy it into the backup (\(error.localizedDescription))")
        }
    }

    static func writeFile(_ data: Data, to path: String) throws(BackupError) {
        do { try AtomicFile.write(Array(data), to: path, syncDirectory: false) } catch {
            throw .file(path: path, reason: error.reason)
        }
    }

    static func rename(_ source: String, to destination: String) throws(BackupError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw .file(path: destination, reason: "cannot move the finished backup into place (\(String(cString: strerror(errno))))")
        }
    }

    static func syncFile(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// The size of a file just written; one that cannot be read is an error, not 0 bytes.
    static func size(of path: String) throws(BackupError) -> Int64 {
        do {
            return (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        } catch {
            throw .file(path: path, reason: "cannot read its size (\(error.localizedDescription))")
        }
    }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

extension BackupWriter {
    /// The newest backup at `destination` (by the time in its name), or nil when there is none.
    package func latest(at destination: BackupDestination) async throws(BackupError) -> BackupArchiveName? {
        switch destination {
        case .directory(let directory):
            // A folder not created yet holds no backup; one that cannot be listed is an error
            // (nil would make a scheduler take a backup it does not need, or hide the problem).
            guard FileManager.default.fileExists(atPath: directory) else { return nil }
            let entries: [String]
            do { entries = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
                throw .file(path: directory, reason: "cannot list it (\(error.localizedDescription))")
            }
            return entries.compactMap(BackupArchiveName.init(fileName:)).max()
        case let .s3(bucket, prefix):
            let client = try s3Client(bucket: bucket, destination: destination.description)
            do { return try await Self.listS3(client, prefix: prefix).map(\.0).max() } catch { throw .s3(error) }
        }
    }
}
