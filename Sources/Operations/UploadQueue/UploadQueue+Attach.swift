import Foundation
import Catalog
import CloudStorage
import Pipeline

extension UploadQueue {
    /// Connects the upload queue to the storing path when the config has a `storage` section: every
    /// image the service stores is queued. Returns nil in local-only mode (nothing is attached, no
    /// table is touched). Throws `ConfigurationError` naming the key when the section is invalid.
    package static func attach(to service: GenerationService, catalog: any UploadQueueStore, file: String?) throws -> UploadQueue? {
        guard let storage = try StorageConfiguration.load(from: service.runtime.configuration, file: file) else { return nil }
        let queue = try UploadQueue(catalog: catalog)
        service.imageStored.add(queue.observer(sidecars: storage.sidecars, log: service.runtime.log, clock: service.clock))
        return queue
    }
}
