import Foundation
import ImagegenCore

/// What a host says about itself every few seconds (`HostRegistry.heartbeat`).
public struct HostHeartbeat: Sendable, Equatable {
    public var pid: Int32
    public var version: String
    public var startedAt: Date
    /// It holds the singleton lock (scheduler, alerts, backups, upload sweeps).
    public var runsSingletons: Bool
    public init(pid: Int32, version: String, startedAt: Date, runsSingletons: Bool) {
        self.pid = pid
        self.version = version
        self.startedAt = startedAt
        self.runsSingletons = runsSingletons
    }
}

/// A job a host holds: claimed while queued, or sent to its provider and polled by this host.
public struct HostLease: Sendable, Equatable, Encodable {
    public var jobID: String
    public var state: String
    /// When the claim lapses unless renewed (nil on a catalog without claims).
    public var until: Date?
    public init(jobID: String, state: String, until: Date?) {
        self.jobID = jobID
        self.state = state
        self.until = until
    }

    enum CodingKeys: String, CodingKey { case jobID = "job_id", state, until }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(jobID, forKey: .jobID)
        try c.encode(state, forKey: .state)
        try c.encode(until.map(RecordTime.iso), forKey: .until)
    }
}

/// One live host of the catalog with its leases and load (`GET /v1/hosts`, `imagegen hosts`).
public struct HostStatus: Sendable, Equatable, Encodable {
    public var name: String
    public var pid: Int32
    public var version: String
    public var startedAt: Date
    public var heartbeatAt: Date
    public var runsSingletons: Bool
    /// Its jobs at a provider (submitting, submitted, running): its load.
    public var jobsInFlight: Int
    /// Queued jobs it claimed and is about to submit.
    public var jobsClaimed: Int
    public var leases: [HostLease]
    public init(name: String, pid: Int32, version: String, startedAt: Date, heartbeatAt: Date, runsSingletons: Bool,
                leases: [HostLease]) {
        self.name = name
        self.pid = pid
        self.version = version
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.runsSingletons = runsSingletons
        self.leases = leases
        jobsClaimed = leases.filter { $0.state == JobState.queued.rawValue }.count
        jobsInFlight = leases.count - jobsClaimed
    }

    enum CodingKeys: String, CodingKey {
        case name, pid, version, leases
        case startedAt = "started_at", heartbeatAt = "heartbeat_at", runsSingletons = "runs_singletons"
        case jobsInFlight = "jobs_in_flight", jobsClaimed = "jobs_claimed"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(pid, forKey: .pid)
        try c.encode(version, forKey: .version)
        try c.encode(RecordTime.iso(startedAt), forKey: .startedAt)
        try c.encode(RecordTime.iso(heartbeatAt), forKey: .heartbeatAt)
        try c.encode(runsSingletons, forKey: .runsSingletons)
        try c.encode(jobsInFlight, forKey: .jobsInFlight)
        try c.encode(jobsClaimed, forKey: .jobsClaimed)
        try c.encode(leases, forKey: .leases)
    }
}

/// The hosts serving one catalog: each records a heartbeat every few seconds; those heard from
/// recently are live.
public protocol HostRegistry: Sendable {
    /// Records that this host (the catalog's host name) is alive now.
    func heartbeat(_ beat: HostHeartbeat) throws
    /// Hosts heard from within the last `within` seconds, by name, each with its leases.
    func liveHosts(within: TimeInterval) throws -> [HostStatus]
}
