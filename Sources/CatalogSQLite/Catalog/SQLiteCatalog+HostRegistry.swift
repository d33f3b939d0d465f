import Foundation
import Catalog

/// A SQLite catalog has one host (the process holding the data folder's runner lock): its
/// heartbeat is kept in memory, and its leases are its jobs at a provider.
extension SQLiteCatalog: HostRegistry {
    public func heartbeat(_ beat: HostHeartbeat) throws { lastHeartbeat.withLock { $0 = beat } }

    public func liveHosts(within: TimeInterval) throws -> [HostStatus] {
        guard let beat = lastHeartbeat.withLock({ $0 }) else { return [] }
        let leases = try database.query("""
            SELECT id, state FROM jobs WHERE state IN ('submitting','submitted','running') ORDER BY created_at, id
            """).map { HostLease(jobID: $0["id"]?.string ?? "", state: $0["state"]?.string ?? "", until: nil) }
        return [HostStatus(name: "\(ProcessInfo.processInfo.hostName):\(beat.pid)", pid: beat.pid, version: beat.version,
                           startedAt: beat.startedAt, heartbeatAt: Date(), runsSingletons: beat.runsSingletons, leases: leases)]
    }
}
