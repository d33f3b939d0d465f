import Foundation
import Host
import CloudStorage
import ImagegenConfig
import Operations
import Pipeline

/// `imagegen backup [--to DIR|s3://bucket/prefix] [--format tar.gz|directory] [--no-prune] [--json]`:
/// a consistent snapshot of the catalog (safe while `serve` runs), the config, templates and audit
/// log, with a manifest of checksums, as one archive; then retention (`backup.keep_daily`,
/// `backup.keep_weekly`) when a `backup` section is configured.
struct BackupCommand: Command {
    static let name = "backup"
    static let summary = "snapshot the catalog, config, templates and audit log into one archive"
    static let options: Set<String> = ["to", "format"]
    static let flags: Set<String> = ["no-prune"]

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
        let writer = BackupWriter(sources: BackupSources(catalog: catalog, dataDirectory: context.paths.data,
                                                         configFile: context.paths.config, templatesDirectory: templates),
                                  format: format, retention: retention, storage: storage)
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
        print("  image files are not in the archive: restore fetches them from the cloud copy (see docs/storage.md)")
        return .success
    }
}
