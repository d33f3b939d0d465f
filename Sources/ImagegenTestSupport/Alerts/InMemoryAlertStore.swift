import Foundation
import Synchronization
import Catalog

/// An `AlertStore` in memory, for tests. Shared between engines, it stands for the catalog across a restart.
package final class InMemoryAlertStore: AlertStore {
    private let rows = Mutex<[Alert]>([])

    package init() {}

    package func activeAlerts() throws -> [Alert] {
        rows.withLock { $0.filter(\.isActive) }
    }

    package func insertIfNotActive(_ alert: Alert) throws -> Bool {
        rows.withLock { all in
            guard !all.contains(where: { $0.id == alert.id && $0.isActive }) else { return false }
            all.append(alert)
            return true
        }
    }

    package func resolve(id: String, startedAt: Date, endedAt: Date) throws {
        rows.withLock { all in
            for i in all.indices where all[i].id == id && all[i].startedAt == startedAt && all[i].isActive {
                all[i].endedAt = endedAt
            }
        }
    }

    package func alerts(since: Date?, activeOnly: Bool, limit: Int) throws -> [Alert] {
        let all = rows.withLock { $0 }
        return Array(all.filter { (since == nil || $0.startedAt >= since!) && (!activeOnly || $0.isActive) }
            .sorted { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }
            .prefix(max(0, limit)))
    }
}
