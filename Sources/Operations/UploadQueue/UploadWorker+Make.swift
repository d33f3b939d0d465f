import Foundation
import Catalog
import CloudStorage
import ImagegenCore

extension UploadWorker {
    /// A worker for the configured bucket over `catalog`'s upload queue, with credentials from the
    /// environment or the configured 0600 file. For `serve` and `imagegen storage sync`.
    package static func make(storage: StorageConfiguration, catalog: any UploadQueueStore, dataDirectory: String, log: Log,
                            queue: UploadQueue? = nil, alerts: UploadAlertHandler? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> UploadWorker {
        let client = try storage.makeClient(environment: environment) { error, attempt, wait in
            log.info("S3 attempt \(attempt) failed, retrying in \(wait): \(error)", source: "uploads")
        }
        return UploadWorker(queue: try queue ?? UploadQueue(catalog: catalog), client: client, dataDirectory: dataDirectory,
                            settings: UploadWorkerSettings(storage), log: log, alerts: alerts)
    }
}
