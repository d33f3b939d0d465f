import Foundation
import Operations

extension HostComposition {
    /// The retention rules of this host's config over its catalog, data folder and bucket
    /// (applied by `serve`'s operations loop and `imagegen retention apply`).
    public func retentionService(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(CompositionError) -> RetentionService {
        RetentionService(settings: configuration.retention, store: store, dataDirectory: paths.data,
                         cloud: try cloudClient(for: "retention", environment: environment), audit: security.audit, log: log)
    }
}
