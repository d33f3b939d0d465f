import Foundation
import Operations

extension HostComposition {
    /// The retention rules of this host's config over its catalog and data folder (applied by
    /// `serve`'s operations loop and `imagegen retention apply`).
    public func retentionService() -> RetentionService {
        RetentionService(settings: configuration.retention, store: store, dataDirectory: paths.data,
                         audit: security.audit, log: log)
    }
}
