import Foundation
import Host
import CloudStorage
import ImagegenConfig
import Operations
import Pipeline

/// `imagegen backup [--to DIR|s3://bucket/prefix] [--format tar.gz|directory] [--no-prune] [--without-images] [--json]`:
/// a consistent snapshot of the catalog (safe while `serve` runs), the config, templates and audit
/// log, with a manifest of checksums, as one archive; the image files and sidecars go to the
/// destination's content-addressed blob store (only new content adds bytes). `--without-images`
/// leaves out the images whose cloud copy is verified. Then retention (`backup.keep_daily`,
/// `backup.keep_weekly`) when a `backup` section is configured.
struct BackupCommand: Command {
    static let name = "backup"
    static let summary = "snapshot the catalog, config, templates, audit log and image files (incremental)"
    static let options: Set<String> = ["to", "format"]
    static let flags: Set<String> = ["no-prune", "without-images"]

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let configuration: HostConfiguration
        let backup: BackupConfiguration?
        let storage: StorageConfiguration?
        do {
            configuration = try HostConfiguration.load(path: context.paths.config)
            backup = try BackupConfiguration.load(from: configuration, file: context.paths.config)
            storage = try StorageConfiguration.load(from: configuration, file: context.paths.config)
        } catch {
            throw .usage(error.description)
        }
        let destination: BackupDestination
        do {
            destination = try (args.string("to") ?? backup?.to).map { text throws(BackupError) in
                try BackupDestination(parsing: text, dataDirectory: context.paths.data)
            } ?? .defaultDirectory(dataDirectory: context.paths.data)
        } catch {
            throw .usage(error.description)
        }
        var format = backup?.format ?? .tarGzip
        if let text = args.string("format") {
            guard let parsed = BackupFormat(rawValue: text) else { throw .usage("--format must be tar.gz or directory, got \"\(text)\"") }
            format = parsed
        }
        guard FileManager.default.fileExists(atPath: context.paths.catalog) else {
            throw .failed("there is no catalog at \(context.paths.catalog), so there is nothing to back up; check --data or IMAGEGEN_DATA",
                          .invalidInput)
        }
        let catalog = try context.catalog()
        let retention = args.flags.contains("no-prune") ? nil : backup?.retention
        let templates = TemplateStore.folder(configuration: configuration, paths: context.paths).path
        var writer = BackupWriter(sources: BackupSources(catalog: catalog, dataDirectory: context.paths.data,
                                                         configFile: context.paths.config, templatesDirectory: templates,
                                                         uploads: catalog),
                                  format: format, retention: retention, storage: storage)
        if args.flags.contains("without-images") { writer.images = .leaveVerifiedToCloudCopy }
        if !args.json && !args.flags.contains("quiet") {
            FileHandle.standardError.write(Data("backing up \(context.paths.data) to \(destination)…\n".utf8))
        }
        let result: BackupResult
        do { result = try await writer.write(to: destination) } catch { throw .failed(error.description, .failure) }
        if args.json {
            Output.json(result)
            return .success
        }
        let info = result.manifest.catalog
        print("backup written: \(result.location) (\(result.bytes) bytes)")
        print("  catalog: \(info.jobs) jobs, \(info.images) images, \(info.ledger) ledger entries (schema \(info.schemaVersion))")
        print("  files: " + Dictionary(grouping: result.manifest.files, by: \.role.rawValue)
            .sorted { $0.key < $1.key }.map { "\($0.value.count) \($0.key)" }.joined(separator: ", "))
        if !result.pruned.isEmpty { print("  removed by retention: \(result.pruned.joined(separator: ", "))") }
        if retention == nil { print("  (no retention applied: configure backup.keep_daily/keep_weekly to prune old backups)") }
        if let error = result.retentionError { Output.error("retention could not be applied: \(error)") }
        let images = result.images
        print("  image files: \(images.files) (\(images.bytes) bytes) in the blob store; this backup added \(images.blobsAdded) "
              + "blob(s), \(images.bytesAdded) bytes")
        if !images.inCloudCopy.isEmpty {
            print("  left to the verified cloud copy: \(images.inCloudCopy.count) image file(s) (restore fetches them from there)")
        }
        if let note = images.cloudCopyNote { print("  \(note)") }
        if !images.missing.isEmpty {
            Output.error("\(images.missing.count) image file(s) the catalog lists are not in the data folder and could not be "
                         + "backed up: \(images.missing.prefix(5).joined(separator: ", "))\(images.missing.count > 5 ? ", …" : "")")
        }
        return .success
    }
}
