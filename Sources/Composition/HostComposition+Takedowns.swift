import Foundation
import CloudStorage
import ImagegenConfig
import Operations

extension HostComposition {
    /// The takedown service of this host: its catalog and content folder, its imaging, its audit
    /// trail, and a client for the configured bucket (none for a local-only host), so a takedown
    /// deletes the cloud copy the upload queue made, and the backups' blob store (`backup.to`,
    /// or `<data>/backups`), so no restore brings the images back.
    public func takedownService(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(CompositionError) -> TakedownService {
        let cloud = try cloudClient(for: "takedown", environment: environment)
        let backups: any BackupBlobStore
        do {
            let storage = try StorageConfiguration.load(from: configuration, file: paths.config)
            // The backups' blobs: `backup.to`, or `<data>/backups` as `imagegen backup` defaults to.
            let destination = try BackupConfiguration.load(from: configuration, file: paths.config)?.to
                .map { text throws in try BackupDestination(parsing: text, dataDirectory: paths.data) }
                ?? .defaultDirectory(dataDirectory: paths.data)
            switch destination {
            case .directory(let folder):
                backups = LocalBackupBlobStore(destination: folder)
            case let .s3(bucket, prefix):
                guard let storage else {
                    throw CompositionError.catalog(path: paths.config ?? "(config)",
                                                   reason: "backup.to is \(destination) but no storage.s3 section says how to reach it")
                }
                backups = S3BackupBlobStore(client: try storage.makeClient(bucket: bucket, environment: environment), backupsPrefix: prefix)
            }
        } catch let error as CompositionError {
            throw error
        } catch let error as ConfigurationError {
            throw .configuration(error)
        } catch {
            throw .catalog(path: paths.catalog, reason: "cannot reach the configured storage for takedowns: \(error)")
        }
        return TakedownService(catalog: catalog, content: service.content, workshop: service.imaging, cloud: cloud, backups: backups,
                               audit: security.audit, log: log, clock: service.clock)
    }
}

extension HostComposition {
    /// A client for the configured bucket (nil for a local-only host), for the services that
    /// delete what the upload queue put there (takedowns, retention); `purpose` names its log lines.
    func cloudClient(for purpose: String, environment: [String: String]) throws(CompositionError) -> S3Client? {
        do {
            let storage = try StorageConfiguration.load(from: configuration, file: paths.config)
            let log = self.log
            return try storage?.makeClient(environment: environment) { error, attempt, wait in
                log.info("S3 attempt \(attempt) failed, retrying in \(wait): \(error)", source: purpose)
            }
        } catch let error as ConfigurationError {
            throw .configuration(error)
        } catch {
            throw .catalog(path: paths.catalog, reason: "cannot reach the configured storage for \(purpose): \(error)")
        }
    }
}
