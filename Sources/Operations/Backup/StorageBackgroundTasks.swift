import Foundation
import Catalog
import CloudStorage
import ImagegenConfig
import ImagegenCore
import Pipeline

/// What `imagegen serve` runs for the storage module, in one place: the upload worker (when a
/// `storage` section exists) and the daily backup (when a `backup` section exists). Local-only with
/// no `backup` section: nothing runs.
///
/// Serve makes it once from its configuration, catalog and (ideally) the generator's upload queue,
/// so new images wake the worker at once, calls `start()`, and `stop(grace:)` on shutdown.
package final class StorageBackgroundTasks: Sendable {
    package let uploadWorker: UploadWorker?
    package let backupScheduler: BackupScheduler?

    package init(uploadWorker: UploadWorker?, backupScheduler: BackupScheduler?) {
        self.uploadWorker = uploadWorker
        self.backupScheduler = backupScheduler
    }

    /// Throws `ConfigurationError` (naming the key) for an invalid section, and the credential or
    /// client error when storage is configured but cannot be used.
    package static func make(configuration: Configuration, paths: HostPaths, catalog: any UploadQueueStore & CatalogSnapshotting,
                            uploads: UploadQueue? = nil, log: Log, uploadAlerts: UploadAlertHandler? = nil,
                            backupFailed: BackupScheduler.FailureHandler? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StorageBackgroundTasks {
        let storage = try StorageConfiguration.load(from: configuration, file: paths.config)
        let worker = try storage.map { storage in
            try UploadWorker.make(storage: storage, catalog: catalog, dataDirectory: paths.data, log: log, queue: uploads,
                                  alerts: uploadAlerts, environment: environment)
        }
        var scheduler: BackupScheduler?
        if let backup = try BackupConfiguration.load(from: configuration, file: paths.config) {
            let destination = try backup.to.map { text throws(BackupError) in
                try BackupDestination(parsing: text, dataDirectory: paths.data)
            } ?? .defaultDirectory(dataDirectory: paths.data)
            let templates = TemplateStore.folder(configuration: configuration, paths: paths).path
            let writer = BackupWriter(sources: BackupSources(catalog: catalog, dataDirectory: paths.data, configFile: paths.config,
                                                             templatesDirectory: templates, uploads: catalog),
                                      format: backup.format, retention: backup.retention, storage: storage,
                                      environment: environment)
            scheduler = BackupScheduler(writer: writer, destination: destination, configuration: backup, log: log,
                                        onFailure: backupFailed)
        }
        return StorageBackgroundTasks(uploadWorker: worker, backupScheduler: scheduler)
    }

    /// - Parameter singleton: elects the host that makes backups and sweeps expired upload leases.
    package func start(singleton: SingletonGate = SingletonGate()) async {
        await uploadWorker?.start(singleton: singleton)
        await backupScheduler?.start(mayRun: { singleton.mayRun() })
    }

    /// Uploads in flight get `grace` seconds; the rest resume at the next start.
    package func stop(grace: TimeInterval) async {
        await backupScheduler?.stop()
        await uploadWorker?.stop(grace: grace)
    }
}
