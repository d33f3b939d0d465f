import Foundation
import Catalog

/// The hosts of one PostgreSQL catalog: a row per host name with its last heartbeat on the
/// database's clock (hosts' clocks need not agree), its leases read from the job claims.
extension PostgresCatalog: HostRegistry {
    package func heartbeat(_ beat: HostHeartbeat) throws {
        try db.query("""
            INSERT INTO hosts (name, pid, version, started_at, heartbeat_at, runs_singletons)
            VALUES ($1, $2, $3, $4, \(Self.databaseNow), $5)
            ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, version = excluded.version, started_at = excluded.started_at,
                heartbeat_at = excluded.heartbeat_at, runs_singletons = excluded.runs_singletons
            """, [.text(host), .integer(Int64(beat.pid)), .text(beat.version), .integer(ms(beat.startedAt)),
                  .integer(beat.runsSingletons ? 1 : 0)])
    }

    package func liveHosts(within: TimeInterval) throws -> [HostStatus] {
        let rows = try db.query("""
            SELECT * FROM hosts WHERE heartbeat_at >= \(Self.databaseNow) - $1 ORDER BY name
            """, [.integer(Int64(within * 1000))])
        let leases = try db.query("""
            SELECT id, state, claimed_by, claim_until FROM jobs
            WHERE claimed_by IN (SELECT name FROM hosts WHERE heartbeat_at >= \(Self.databaseNow) - $1)
              AND state IN ('queued','submitting','submitted','running') AND claim_until >= \(Self.databaseNow)
            ORDER BY claimed_by, created_at, id
            """, [.integer(Int64(within * 1000))])
        let byHost = Dictionary(grouping: leases, by: { $0["claimed_by"]?.string ?? "" })
        func date(_ value: Int64?) -> Date { Date(timeIntervalSince1970: Double(value ?? 0) / 1000) }
        return rows.map { r in
            let name = r["name"]?.string ?? ""
            return HostStatus(name: name, pid: Int32(clamping: r["pid"]?.int ?? 0), version: r["version"]?.string ?? "",
                              startedAt: date(r["started_at"]?.int), heartbeatAt: date(r["heartbeat_at"]?.int),
                              runsSingletons: r["runs_singletons"]?.int == 1,
                              leases: (byHost[name] ?? []).map { l in
                                  HostLease(jobID: l["id"]?.string ?? "", state: l["state"]?.string ?? "",
                                            until: l["claim_until"]?.int.map { date($0) })
                              })
        }
    }
}
