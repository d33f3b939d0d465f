import Foundation
import CloudStorage
import ImagegenConfig
import Operations

extension HostComposition {
    /// The takedown service of this host: its catalog and content folder, its imaging, its audit
    /// trail, and a client for the configured bucket (none for a local-only host), so a takedown
    /// deletes the cloud copy the upload queue made.
    public func takedownService(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(CompositionError) -> TakedownService {
        let cloud: S3Client?
        do {
            let storage = try StorageConfiguration.load(from: configuration, file: paths.config)
            let log = self.log
            cloud = try storage?.makeClient(environment: environment) { error, attempt, wait in
                log.info("S3 attempt \(attempt) failed, retrying in \(wait): \(error)", source: "takedown")
            }
        } catch let error as ConfigurationError {
            throw .configuration(error)
        } catch {
            throw .catalog(path: paths.catalog, reason: "cannot reach the configured storage for takedowns: \(error)")
        }
        return TakedownService(catalog: catalog, content: service.content, workshop: service.imaging, cloud: cloud,
                               audit: security.audit, log: log, clock: service.clock)
    }
}
