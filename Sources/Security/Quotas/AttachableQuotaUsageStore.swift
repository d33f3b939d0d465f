import Synchronization
import Catalog

/// The quota enforcer's usage store, created with the security services before any catalog is
/// open and pointed at the catalog once it is (`HostSecurity.attach`). Until then (and for a
/// host without a catalog) daily counts live only in the enforcer's memory.
public final class AttachableQuotaUsageStore: QuotaUsageStore {
    private let store = Mutex<(any QuotaUsageStore)?>(nil)

    public init() {}

    public func attach(_ store: any QuotaUsageStore) {
        self.store.withLock { $0 = store }
    }

    public func dailyImageCounts(day: String) throws -> [QuotaScope: Int] {
        guard let store = store.withLock({ $0 }) else { return [:] }
        return try store.dailyImageCounts(day: day)
    }

    public func saveDailyImageCount(_ count: Int, scope: QuotaScope, day: String) throws {
        try store.withLock { $0 }?.saveDailyImageCount(count, scope: scope, day: day)
    }
}
