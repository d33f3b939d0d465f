import Foundation
import Host
import CloudStorage
import ImagegenConfig
import Operations
import Catalog

/// `imagegen storage status|sync|verify`: the upload queue to S3-compatible storage.
///
/// - `status [--json]`: files by state, the oldest waiting, the last error.
/// - `sync`: uploads everything waiting now (and retries failed files); exit 1 if any still failed.
/// - `verify [--repair]`: HEADs every uploaded object; exit 1 if any is missing or different
///   (`--repair` queues those files again).
struct StorageCommand: Command {
    static let name = "storage"
    static let summary = "cloud upload queue: `storage status`, `storage sync`, `storage verify`"
    static let options: Set<String> = []
    static let flags: Set<String> = ["repair", "pending-only"]

    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode {
        let configuration: HostConfiguration
        do { configuration = try HostConfiguration.load(path: context.paths.config) } catch { throw .usage(error.description) }
        let storage: StorageConfiguration?
        do { storage = try StorageConfiguration.load(from: configuration, file: context.paths.config) } catch {
            throw .usage(error.description)
        }
        switch args.positionals.first {
        case nil, "status": return try status(args, context, storage: storage)
        case "sync": return try await sync(args, context, storage: try configured(storage))
        case "verify": return try await verify(args, context, storage: try configured(storage))
        case let other?: throw .usage("unknown storage action \"\(other)\": use status, sync or verify")
        }
    }

    func configured(_ storage: StorageConfiguration?) throws(CLIError) -> StorageConfiguration {
        guard let storage else {
            throw .usage("no cloud storage is configured (local-only mode): add a `storage: { s3: { endpoint, region, bucket } }` "
                         + "section to the config to upload images; see docs/storage.md")
        }
        return storage
    }

    struct StatusReport: Encodable {
        var mode: String
        var bucket: String?
        var prefix: String?
        var queue: UploadQueueSummary?
    }

    func status(_ args: Arguments, _ context: CommandContext, storage: StorageConfiguration?) throws(CLIError) -> ExitCode {
        guard let storage else {
            if args.json { Output.json(StatusReport(mode: "local-only")) } else {
                print("storage: local-only (no `storage` section in the config); nothing is uploaded")
            }
            return .success
        }
        let catalog = try context.catalog()
        let summary = try context.catalogCall { try UploadQueue(catalog: catalog).summary(now: Date()) }
        if args.json {
            Output.json(StatusReport(mode: "s3", bucket: storage.s3.bucket, prefix: storage.s3.prefix, queue: summary))
            return .success
        }
        let endpoint = storage.s3.endpoint?.absoluteString ?? "AWS S3 (\(storage.s3.region))"
        print("destination: s3://\(storage.s3.bucket)/\(storage.s3.prefix) at \(endpoint)")
        Output.table(["STATE", "FILES"], UploadState.allCases.map { [$0.rawValue, "\(summary.count($0))"] })
        print("uploaded: \(summary.uploadedBytes) bytes")
        if let oldest = summary.oldestWaitingSince {
            let minutes = Int(Date().timeIntervalSince(oldest) / 60)
            print("oldest waiting: queued \(ISO8601DateFormatter().string(from: oldest)) (\(minutes) min ago)")
        }
        if let error = summary.lastError {
            print("last error (\(error.filePath), \(error.state.rawValue), attempt \(error.attempts)): \(error.message)")
        }
        return .success
    }

    func sync(_ args: Arguments, _ context: CommandContext, storage: StorageConfiguration) async throws(CLIError) -> ExitCode {
        let catalog = try context.catalog()
        let worker: UploadWorker
        do {
            worker = try UploadWorker.make(storage: storage, catalog: catalog, dataDirectory: context.paths.data, log: context.log)
        } catch {
            throw .failed("\(error)", .failure)
        }
        let quiet = args.json || args.flags.contains("quiet")
        let report = await worker.sync(includeFailed: !args.flags.contains("pending-only")) { progress in
            guard !quiet else { return }
            FileHandle.standardError.write(Data("[\(progress.done)/\(progress.total)] \(progress.filePath): \(progress.result)\n".utf8))
        }
        if args.json {
            Output.json(report)
        } else {
            print("\(report.total) file(s): \(report.uploaded) uploaded (\(report.bytesSent) bytes), "
                  + "\(report.alreadyPresent) already present, \(report.failures.count) failed")
            for failure in report.failures {
                print("  \(failure.filePath): \(failure.error)\(failure.willRetry ? " (queued for a later attempt)" : "")")
            }
        }
        return report.succeeded ? .success : .failure
    }

    func verify(_ args: Arguments, _ context: CommandContext, storage: StorageConfiguration) async throws(CLIError) -> ExitCode {
        let catalog = try context.catalog()
        let report: UploadVerifyReport
        do {
            let client = try storage.makeClient()
            let verifier = UploadVerifier(queue: try UploadQueue(catalog: catalog), client: client, concurrency: storage.concurrency)
            report = try await verifier.verify(repair: args.flags.contains("repair"))
        } catch {
            throw .failed("\(error)", .failure)
        }
        if args.json {
            Output.json(report)
        } else {
            print("\(report.checked) uploaded file(s) checked: \(report.missing.count) missing, "
                  + "\(report.different.count) different, \(report.errors.count) could not be checked")
            for problem in report.problems { print("  \(problem.kind.rawValue): \(problem.filePath) (\(problem.key)): \(problem.detail)") }
            if report.requeued > 0 { print("\(report.requeued) file(s) queued for upload again") }
        }
        return report.isClean ? .success : .failure
    }
}
