import Foundation
import Catalog
import CloudStorage
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
    /// Cloud objects deleted (their uploaded copies; 0 on a host without cloud storage).
    public var objectsDeleted: Int
    /// Originals whose purge failed, with why (they are retried on the next run).
    public var failures: [String: String]

    enum CodingKeys: String, CodingKey {
        case applied, images, failures
        case rejectedDays = "rejected_days", quarantinedDays = "quarantined_days", filesRemoved = "files_removed"
        case objectsDeleted = "objects_deleted"
    }
}

/// Applies `retention`: rejected originals `rejected_days` after their rejection and quarantined
/// ones `quarantined_days` after generation lose their files (original, derivatives, sidecars)
/// and become `purged`, each purge audited. Takedown tombstones, the ledger and the audit log
/// are kept whatever the rules say. A rejected image may have been uploaded before its review:
/// its cloud objects (file and sidecar, where the upload queue puts them) are deleted first, then
/// the local files, then the row is marked purged, so a run that fails or is killed part-way
/// leaves the image a candidate and the next run finishes it (deleting a missing object or file
/// succeeds). Quarantined images are never uploaded, but their keys are deleted all the same.
public struct RetentionService: Sendable {
    public let settings: RetentionSettings
    let store: any RetentionStore
    let dataDirectory: String
    /// The configured bucket, if any: purged images' uploaded copies are deleted there.
    let cloud: S3Client?
    let audit: AuditTrail?
    let log: Log
    /// Originals handled per run, so a first run on a large backlog does not hold the catalog long.
    public static let batch = 500

    package init(settings: RetentionSettings, store: any RetentionStore, dataDirectory: String, cloud: S3Client? = nil,
                audit: AuditTrail?, log: Log) {
        self.settings = settings
        self.store = store
        self.dataDirectory = dataDirectory
        self.cloud = cloud
        self.audit = audit
        self.log = log
    }

    /// What the rules select at `now`; with `apply`, purges it.
    public func run(now: Date, apply: Bool) async throws -> RetentionReport {
        let day: TimeInterval = 86_400
        let candidates = settings.isActive ? try store.retentionCandidates(
            rejectedBefore: settings.rejectedDays.map { now.addingTimeInterval(-Double($0) * day) },
            quarantinedBefore: settings.quarantinedDays.map { now.addingTimeInterval(-Double($0) * day) },
            limit: Self.batch) : []
        var report = RetentionReport(rejectedDays: settings.rejectedDays, quarantinedDays: settings.quarantinedDays, applied: apply,
                                     images: candidates, filesRemoved: 0, objectsDeleted: 0, failures: [:])
        guard apply else { return report }
        for candidate in candidates {
            do {
                let files = withSidecars(candidate.files)
                report.objectsDeleted += try await deleteObjects(files)
                report.filesRemoved += try removeFiles(files)
                try store.markPurged(imageID: candidate.imageID, now: now)
                audit?.record(.retentionPurge, subject: candidate.imageID, details: [
                    "rule": candidate.rule.rawValue, "since": RecordTime.iso(candidate.since), "files": "\(candidate.files.count)",
                    "days": "\((candidate.rule == .rejected ? settings.rejectedDays : settings.quarantinedDays) ?? 0)",
                    "cloud": cloud == nil ? "none" : "deleted",
                ], caller: .system("retention"))
            } catch {
                report.failures[candidate.imageID] = "\(error)"
                log.warning("retention: cannot purge \(candidate.imageID) (retried on the next run): \(error)", source: "retention")
            }
        }
        if !candidates.isEmpty {
            log.info("retention: \(candidates.count - report.failures.count) image(s) purged, \(report.filesRemoved) file(s) removed, "
                     + "\(report.objectsDeleted) cloud object(s) deleted",
                     source: "retention")
        }
        return report
    }

    /// Each file followed by its sidecar (relative to the data folder).
    private func withSidecars(_ files: [String]) -> [String] {
        let content = ContentStore(dataDirectory: dataDirectory)
        return files.flatMap { [$0, content.sidecarPath(for: $0)] }
    }

    /// Deletes each file's object where the upload queue puts it (S3 answers a delete of a
    /// missing key with success, so a retried run does not fail on what it deleted).
    private func deleteObjects(_ files: [String]) async throws -> Int {
        guard let cloud else { return 0 }
        var deleted = 0
        for file in files {
            let key: ObjectKey
            do throws(ObjectKeyError) {
                key = try UploadTransfer.objectKey(for: file, prefix: cloud.configuration.keyPrefix)
            } catch .notAContentPath {
                continue  // outside content/: the upload queue never takes such a file
            }
            try await cloud.deleteObject(key: key.rawValue)
            deleted += 1
        }
        return deleted
    }

    /// Removes each file; a file already gone counts as removed (a run killed half-way resumes
    /// here). Returns how many were on disk.
    private func removeFiles(_ files: [String]) throws -> Int {
        var removed = 0
        for relative in files {
            let path = dataDirectory + "/" + relative
            guard FileManager.default.fileExists(atPath: path) else { continue }
            try FileManager.default.removeItem(atPath: path)
            removed += 1
        }
        return removed
    }
}
