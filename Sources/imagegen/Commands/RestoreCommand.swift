import Foundation
import Host
import CloudStorage
import ImagegenConfig
import Operations
import Composition

/// `imagegen restore ARCHIVE [--data DIR] [--json]`: restores a backup (a `.tar.gz`, a backup folder,
/// or `s3://bucket/key`) into an empty or new data folder. Every checksum is verified before anything
/// is written; a damaged archive or image blob is refused with the damaged part named. Image files
/// come back from the backup's blob store (checked against the manifest's SHA-256); any the backup
/// left to the cloud copy are fetched from there when storage is configured. Exit 0 when everything is back, 1 when
/// the catalog was restored but some image files could not be (they are listed).
struct RestoreCommand: Command {
    static let name = "restore"
    static let summary = "restore a backup, image files included, into an empty data folder"
    static let options: Set<String> = []
    static let flags: Set<String> = []
    static func createsDataFolder(_ positionals: [String]) -> Bool { true }

    struct Report: Encodable {
        var archive: String
        var data: String
        var createdAt: String
        var writtenBy: String
        var catalog: BackupManifest.CatalogInfo
        var restoredFiles: [String]
        var images: ImageRefetchReport?
        /// Why images could not be fetched at all (no storage configured, no credentials).
        var refetchSkipped: String?
        enum CodingKeys: String, CodingKey {
            case archive, data, catalog, images
            case createdAt = "created_at", writtenBy = "written_by", restoredFiles = "restored_files"
            case refetchSkipped = "refetch_skipped"
        }
    }

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        guard args.positionals.count == 1, let archive = args.positionals.first else {
            throw .usage("usage: imagegen restore ARCHIVE [--data DIR]  (ARCHIVE: a .tar.gz, a backup folder, or s3://bucket/key)")
        }
        let restorer = BackupRestorer(dataDirectory: context.paths.data, catalogFormat: HostComposition.catalogFileFormat)
        do { try restorer.checkTarget() } catch { throw .failed(error.description, .invalidInput) }
        let download = NSTemporaryDirectory() + "imagegen-restore-download-\(UUID().uuidString.prefix(8))"
        // try?: cleanup of a downloaded backup archive after the restore has succeeded or thrown
        defer { try? FileManager.default.removeItem(atPath: download) }
        let (local, blobs) = try await localArchive(archive, work: download, context: context)
        let restored: BackupRestorer.Restored
        do { restored = try await restorer.restoreFiles(archive: local, blobs: blobs) } catch {
            throw .failed(error.description, .failure)
        }
        let installed = restored.files
        var report = Report(archive: archive, data: context.paths.data, createdAt: restored.manifest.createdAt,
                            writtenBy: restored.manifest.imagegenVersion, catalog: restored.manifest.catalog,
                            restoredFiles: installed)
        // The cloud copy's settings: --config / IMAGEGEN_CONFIG if given, else the restored config.
        let restoredConfig = context.paths.data + "/config.json5"
        let configFile = context.paths.config ?? (FileManager.default.fileExists(atPath: restoredConfig) ? restoredConfig : nil)
        var client: S3Client?
        do {
            if let storage = try StorageConfiguration.load(from: HostConfiguration.load(path: configFile), file: configFile) {
                client = try storage.makeClient()
            } else {
                report.refetchSkipped = "no cloud storage is configured, so missing image files cannot be fetched"
            }
        } catch {
            report.refetchSkipped = "cannot use the cloud copy: \(error)"
        }
        do {
            report.images = try await restorer.refetchImages(client: client)
        } catch {
            throw .failed("the backup was restored into \(context.paths.data), but its images could not be checked: \(error)", .failure)
        }
        let missing = report.images?.missing.count ?? 0
        if args.json {
            Output.json(report)
        } else {
            print("restored \(archive) (made \(report.createdAt) by imagegen \(report.writtenBy)) into \(context.paths.data)")
            print("  catalog: \(report.catalog.jobs) jobs, \(report.catalog.images) images, \(report.catalog.ledger) ledger entries")
            print("  files: \(installed.count) (\(installed.prefix(6).joined(separator: ", "))\(installed.count > 6 ? ", …" : ""))")
            if let images = report.images {
                print("  image files: \(images.present) present, \(images.fetched) fetched from the cloud copy, \(missing) missing"
                      + (images.sidecarsRebuilt > 0 ? "; \(images.sidecarsRebuilt) sidecar(s) rebuilt from the catalog" : ""))
                for item in images.missing.prefix(10) { print("    missing \(item.filePath): \(item.reason)") }
                if missing > 10 { print("    … and \(missing - 10) more (see --json)") }
            }
            if let skipped = report.refetchSkipped { print("  \(skipped)") }
        }
        return missing == 0 ? .success : .failure
    }

    /// The archive as a local path (downloaded into `work` first when it is `s3://bucket/key`), and
    /// where its image blobs are (nil: the `blobs` folder beside a local archive).
    func localArchive(_ archive: String, work: String,
                      context: CommandContext) async throws(CLIError) -> (String, (any BackupBlobStore)?) {
        guard archive.hasPrefix("s3://") else {
            return (archive.hasPrefix("/") ? archive : FileManager.default.currentDirectoryPath + "/" + archive, nil)
        }
        let rest = archive.dropFirst("s3://".count)
        let parts = rest.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { throw .usage("an S3 archive is s3://BUCKET/KEY, got \(archive)") }
        do {
            guard let storage = try StorageConfiguration.load(from: HostConfiguration.load(path: context.paths.config),
                                                              file: context.paths.config) else {
                throw CLIError.usage("restoring from \(archive) needs a config with a storage.s3 section (endpoint, region) "
                                     + "passed with --config, and credentials in the environment")
            }
            let client = try storage.makeClient(bucket: String(parts[0]))
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let path = work + "/" + ((String(parts[1]) as NSString).lastPathComponent)
            try await client.downloadObject(key: String(parts[1]), to: path)
            let prefix = (String(parts[1]) as NSString).deletingLastPathComponent
            return (path, S3BackupBlobStore(client: client, backupsPrefix: prefix))
        } catch let error as CLIError {
            throw error
        } catch {
            throw .failed("cannot download \(archive): \(error)", .failure)
        }
    }
}
