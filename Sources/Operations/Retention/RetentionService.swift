import Foundation
import Catalog
import ImagegenConfig
import ImagegenCore
import Pipeline
import Security

/// What a retention run found and did: each original past its time, with its files, and
/// whether they were purged (`imagegen retention`, `imagegen retention apply`, `serve`).
public struct RetentionReport: Sendable, Codable, Equatable {
    public var rejectedDays: Int?
    public var quarantinedDays: Int?
    /// false: what would be purged (nothing touched).
    public var applied: Bool
    public var images: [RetentionCandidate]
    /// Files removed (images, derivatives and their sidecars).
    public var filesRemoved: Int
    /// Originals whose purge failed, with why (they are retried on the next run).
    public var failures: [String: String]

    enum CodingKeys: String, CodingKey {
        case applied, images, failures
        case rejectedDays = "rejected_days", quarantinedDays = "quarantined_days", filesRemoved = "files_removed"
    }
}

/// Applies `retention`: rejected originals `rejected_days` after their rejection and quarantined
/// ones `quarantined_days` after generation lose their files (original, derivatives, sidecars)
/// and become `purged`, each purge audited. Takedown tombstones, the ledger and the audit log
/// are kept whatever the rules say. Cloud copies are not deleted here (a rejected image's
/// upload, if any, is removed with `imagegen takedown`); quarantined images are never uploaded.
public struct RetentionService: Sendable {
    public let settings: RetentionSettings
    let store: any RetentionStore
    let dataDirectory: String
    let audit: AuditTrail?
    let log: Log
    /// Originals handled per run, so a first run on a large backlog does not hold the catalog long.
    public static let batch = 500

    public init(settings: RetentionSettings, store: any RetentionStore, dataDirectory: String, audit: AuditTrail?, log: Log) {
        self.settings = settings
        self.store = store
        self.dataDirectory = dataDirectory
        self.audit = audit
        self.log = log
    }

    /// What the rules select at `now`; with `apply`, purges it.
    public func run(now: Date, apply: Bool) throws -> RetentionReport {
        let day: TimeInterval = 86_400
        let candidates = settings.isActive ? try store.retentionCandidates(
            rejectedBefore: settings.rejectedDays.map { now.addingTimeInterval(-Double($0) * day) },
            quarantinedBefore: settings.quarantinedDays.map { now.addingTimeInterval(-Double($0) * day) },
            limit: Self.batch) : []
        var report = RetentionReport(rejectedDays: settings.rejectedDays, quarantinedDays: settings.quarantinedDays, applied: apply,
                                     images: candidates, filesRemoved: 0, failures: [:])
        guard apply else { return report }
        for candidate in candidates {
            do {
                report.filesRemoved += try removeFiles(candidate.files)
                try store.markPurged(imageID: candidate.imageID, now: now)
                audit?.record(.retentionPurge, subject: candidate.imageID, details: [
                    "rule": candidate.rule.rawValue, "since": RecordTime.iso(candidate.since), "files": "\(candidate.files.count)",
                    "days": "\((candidate.rule == .rejected ? settings.rejectedDays : settings.quarantinedDays) ?? 0)",
                ], caller: .system("retention"))
            } catch {
                report.failures[candidate.imageID] = "\(error)"
                log.warning("retention: cannot purge \(candidate.imageID) (retried on the next run): \(error)", source: "retention")
            }
        }
        if !candidates.isEmpty {
            log.info("retention: \(candidates.count - report.failures.count) image(s) purged, \(report.filesRemoved) file(s) removed",
                     source: "retention")
        }
        return report
    }

    /// Removes each file and its sidecar; a file already gone counts as removed (a run killed
    /// half-way resumes here). Returns how many were on disk.
    private func removeFiles(_ files: [String]) throws -> Int {
        var removed = 0
        for relative in files {
            let path = dataDirectory + "/" + relative
            for file in [path, (path as NSString).deletingPathExtension + ".json"] where FileManager.default.fileExists(atPath: file) {
                try FileManager.default.removeItem(atPath: file)
                removed += 1
            }
        }
        return removed
    }
}
