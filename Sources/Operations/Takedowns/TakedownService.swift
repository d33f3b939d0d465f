import Foundation
import Catalog
import CloudStorage
import Crypto
import ImagegenCore
import Imaging
import Pipeline
import Security

/// Carries out takedown requests (TAKE IT DOWN Act: remove within 48 hours, with identical
/// copies): finds the image and every identical (same SHA-256) or near-identical (perceptual hash
/// within `PerceptualHash.nearDuplicateDistance`) copy among the stored originals, withdraws them
/// with their derivatives in one catalog transaction (tombstones written, upload rows dropped),
/// then deletes their files and their cloud objects and records the completion time. Each step is
/// audited with the request and completion times.
///
/// Blocking (file I/O, libvips) except the S3 deletes: call it off the cooperative pool's hot path
/// (the CLI and the API handlers do).
public struct TakedownService: Sendable {
    public let catalog: TakedownCatalog
    public let content: ContentStore
    let workshop: ImageWorkshop?
    /// The bucket the upload queue publishes to; nil for a local-only host.
    let cloud: S3Client?
    /// Where backups keep image blobs: a takedown deletes them there and leaves a record that
    /// every later restore honours (`BackupWithdrawal`). nil: no backup destination.
    let backups: (any BackupBlobStore)?
    let audit: AuditTrail?
    let log: Log
    let clock: @Sendable () -> Date

    package init(catalog: TakedownCatalog, content: ContentStore, workshop: ImageWorkshop?, cloud: S3Client?,
                 backups: (any BackupBlobStore)? = nil, audit: AuditTrail?, log: Log, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.catalog = catalog
        self.content = content
        self.workshop = workshop
        self.cloud = cloud
        self.backups = backups
        self.audit = audit
        self.log = log
        self.clock = clock
    }

    /// Runs one request to completion. Throws before anything is recorded when the request itself
    /// is wrong; throws `.incomplete` when the images are withdrawn but a file or object is left
    /// (the request stays open for `resume`).
    public func takeDown(_ request: TakedownRequest) async throws(TakedownError) -> TakedownRecord {
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw .missingReason }
        let received = clock()
        if let asked = request.requestedAt, asked > received.addingTimeInterval(300) {
            throw .requestedInTheFuture(RecordTime.iso(asked))
        }
        let (kind, target, seeds) = try resolve(request.target)
        let record = TakedownRecord(id: RecordID.make("tkd"), targetKind: kind, target: target, reason: reason,
                                    requestedAt: request.requestedAt ?? received, receivedAt: received,
                                    requestedBy: Caller.effective.principal)
        try catalogCall { try catalog.openTakedown(record) }
        audit?.record(.takedownRequest, subject: record.id, details: [
            "target_kind": kind, "target": target, "reason": reason, "requested_at": RecordTime.iso(record.requestedAt),
            "received_at": RecordTime.iso(received)])
        let originals = try copies(of: seeds)
        try commit(record.id, originals: originals)
        return try await finish(record.id)
    }

    /// Finishes every committed but incomplete request (a crash or a failed cloud delete).
    public func resume() async throws(TakedownError) -> [TakedownRecord] {
        let open = try catalogCall { try catalog.takedowns(limit: 10_000) }.filter { $0.completedAt == nil }
        var finished: [TakedownRecord] = []
        for request in open.reversed() {
            if request.committedAt == nil {
                // Received, not committed: the matching never ran to its end. Run it again.
                let seeds = try seedsOfOpenRequest(request)
                try commit(request.id, originals: try copies(of: seeds))
            }
            finished.append(try await finish(request.id))
        }
        return finished
    }

    /// Stores the perceptual hash of every original that has none yet (images from before hashes
    /// were kept). Returns how many were hashed; unreadable files are logged and skipped.
    @discardableResult
    public func backfillFingerprints() throws(TakedownError) -> Int {
        guard let workshop else { throw .imagingUnavailable }
        var hashed = 0
        var skipped = Set<String>()
        while true {
            let batch = try catalogCall { try catalog.originalsWithoutFingerprint(limit: 500) }.filter { !skipped.contains($0.imageID) }
            if batch.isEmpty { return hashed }
            for image in batch {
                do {
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: content.absolute(image.filePath)))
                    let hash = try workshop.perceptualHash(of: bytes, declaredMIMEType: image.mime)
                    try catalog.recordFingerprint(imageID: image.imageID, hash: hash)
                    hashed += 1
                } catch {
                    skipped.insert(image.imageID)
                    log.warning("takedown backfill: cannot hash \(image.imageID) (\(image.filePath)): \(error)", source: "takedown")
                }
            }
        }
    }

    // MARK: - Matching

    /// The request's own images (originals) and the hashes to look for copies of.
    private struct Seeds {
        var originals: Set<String> = []
        var sha256: Set<String> = []
        var hashes: [PerceptualHash] = []
    }

    private func resolve(_ target: TakedownRequest.Target) throws(TakedownError) -> (String, String, Seeds) {
        var seeds = Seeds()
        switch target {
        case .image(let id):
            guard let image = try catalogCall({ try catalog.image(id) }) else { throw .unknownImage(id) }
            let originalID = image.variant == "original" ? image.imageID : (image.parentID ?? image.imageID)
            guard let original = try catalogCall({ try catalog.image(originalID) }) else { throw .unknownImage(originalID) }
            guard original.status == ImageRecord.completed else { throw .alreadyTakenDown(originalID) }
            seeds.originals.insert(originalID)
            seeds.sha256.insert(original.contentSHA256)
            return ("image", id, seeds)
        case .sha256(let hex):
            let lower = hex.lowercased()
            guard lower.count == 64, lower.allSatisfy(\.isHexDigit) else { throw .invalidSHA256(hex) }
            seeds.sha256.insert(lower)
            return ("sha256", lower, seeds)
        case .like(let name, let bytes):
            guard let workshop else { throw .imagingUnavailable }
            let sha = SHA256Digest.of(Array(bytes)).hex
            let hash: PerceptualHash
            do {
                hash = try workshop.perceptualHash(of: bytes)
            } catch {
                throw .notAnImage(name: name, reason: "\(error)")
            }
            seeds.sha256.insert(sha)
            seeds.hashes.append(hash)
            return ("like", "\((name as NSString).lastPathComponent) sha256=\(sha) dhash=\(hash)", seeds)
        }
    }

    private func seedsOfOpenRequest(_ request: TakedownRecord) throws(TakedownError) -> Seeds {
        var seeds = Seeds()
        switch request.targetKind {
        case "image":
            if let image = try catalogCall({ try catalog.image(request.target) }) {
                seeds.originals.insert(image.variant == "original" ? image.imageID : (image.parentID ?? image.imageID))
                seeds.sha256.insert(image.contentSHA256)
            }
        case "sha256":
            seeds.sha256.insert(request.target)
        default:
            for part in request.target.split(separator: " ") {
                if part.hasPrefix("sha256=") { seeds.sha256.insert(String(part.dropFirst(7))) }
                if part.hasPrefix("dhash="), let hash = PerceptualHash(hex: String(part.dropFirst(6))) { seeds.hashes.append(hash) }
            }
        }
        return seeds
    }

    /// Every stored original that is the seed, has its bytes, or looks like it.
    private func copies(of initial: Seeds) throws(TakedownError) -> [ImageRecord] {
        var seeds = initial
        // Originals stored before hashes were kept, or whose hash a crash lost, must be found too.
        if workshop != nil { try backfillFingerprints() }
        for sha in seeds.sha256 {
            for image in try catalogCall({ try catalog.images(withSHA256: sha) }) {
                seeds.originals.insert(image.variant == "original" ? image.imageID : (image.parentID ?? image.imageID))
            }
        }
        let fingerprints = try catalogCall { try catalog.fingerprints() }
        let byID = Dictionary(fingerprints.map { ($0.imageID, $0) }, uniquingKeysWith: { a, _ in a })
        seeds.hashes += seeds.originals.compactMap { byID[$0]?.hash }
        for fingerprint in fingerprints where seeds.hashes.contains(where: { fingerprint.hash.isNearDuplicate(of: $0) }) {
            seeds.originals.insert(fingerprint.imageID)
        }
        var originals: [ImageRecord] = []
        for id in seeds.originals.sorted() {
            if let image = try catalogCall({ try catalog.image(id) }), image.status == ImageRecord.completed, image.variant == "original" {
                originals.append(image)
            }
        }
        return originals
    }

    // MARK: - Removing

    /// Withdraws the images in one transaction, recording what is left to delete.
    private func commit(_ id: String, originals: [ImageRecord]) throws(TakedownError) {
        let fingerprints = Dictionary((try catalogCall { try catalog.fingerprints() }).map { ($0.imageID, $0.hash) },
                                      uniquingKeysWith: { a, _ in a })
        // Where each uploaded file went (empty for a host that never had cloud storage).
        let uploaded = try catalogCall { try catalog.uploadedObjectKeys() }
        var cleanup = TakedownCleanup()
        var tombstones: [Tombstone] = []
        for original in originals {
            let derivatives = try catalogCall { try catalog.derivatives(of: original.imageID) }
            for image in [original] + derivatives {
                cleanup.files.append(image.filePath)
                let sidecar = content.sidecarPath(for: image.filePath)
                if FileManager.default.fileExists(atPath: content.absolute(sidecar)) { cleanup.files.append(sidecar) }
                for file in [image.filePath, sidecar] {
                    if let key = uploaded[file] { cleanup.objectKeys.append(key) }
                }
            }
            tombstones.append(Tombstone(imageID: original.imageID, takedownID: id, contentSHA256: original.contentSHA256,
                                        hash: fingerprints[original.imageID], template: original.extra["template"],
                                        seed: original.parameters.seed))
        }
        if let cloud {
            // Rows in flight or not yet uploaded have no recorded key: delete where the worker would put them.
            for file in cleanup.files {
                if let key = try? UploadTransfer.objectKey(for: file, prefix: cloud.configuration.keyPrefix) {  // try?: a path outside content/ was never uploaded
                    cleanup.objectKeys.append(key.rawValue)
                }
            }
        }
        cleanup.files = Array(Set(cleanup.files)).sorted()
        cleanup.objectKeys = Array(Set(cleanup.objectKeys)).sorted()
        try catalogCall {
            try catalog.commitTakedown(id: id, originals: originals.map(\.imageID), tombstones: tombstones, cleanup: cleanup, now: clock())
        }
    }

    /// Deletes the files and objects a committed request names, then records its completion.
    private func finish(_ id: String) async throws(TakedownError) -> TakedownRecord {
        guard let record = try catalogCall({ try catalog.takedown(id: id) }) else { throw .catalog("takedown \(id) vanished") }
        var problems: [String] = []
        if let backups {
            // Before the files go: a sidecar's blob is named by its hash, read from the file.
            do {
                try await backups.withdraw(try withdrawal(of: record))
            } catch {
                problems.append("cannot withdraw the images from the backups at \(backups.location): \(error)")
            }
        }
        for file in record.cleanup.files {
            let path = content.absolute(file)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                problems.append("cannot delete \(file): \(error.localizedDescription)")
            }
        }
        if !record.cleanup.objectKeys.isEmpty {
            if let cloud {
                for key in record.cleanup.objectKeys {
                    do throws(S3Error) {
                        try await cloud.deleteObject(key: key)
                    } catch {
                        problems.append("cannot delete s3 object \(key): \(error)")
                    }
                }
            } else {
                problems.append("\(record.cleanup.objectKeys.count) cloud object(s) to delete but no storage is configured")
            }
        }
        let now = clock()
        let error = problems.isEmpty ? nil : problems.joined(separator: "; ")
        try catalogCall { try catalog.completeTakedown(id: id, error: error, now: now) }
        var details = ["images": record.images.joined(separator: ","), "files": String(record.cleanup.files.count),
                       "objects": String(record.cleanup.objectKeys.count), "requested_at": RecordTime.iso(record.requestedAt)]
        if let error {
            details["error"] = error
            audit?.record(.takedownCompletion, subject: id, details: details)
            log.error("takedown \(id) incomplete: \(error)", source: "takedown")
            throw .incomplete(id: id, reason: error)
        }
        details["completed_at"] = RecordTime.iso(now)
        details["seconds"] = String(format: "%.3f", now.timeIntervalSince(record.requestedAt))
        audit?.record(.takedownCompletion, subject: id, details: details)
        guard let done = try catalogCall({ try catalog.takedown(id: id) }) else { throw .catalog("takedown \(id) vanished") }
        return done
    }

    /// What the backups must forget of a committed request: its tombstones and every file with its hash.
    private func withdrawal(of record: TakedownRecord) throws(TakedownError) -> BackupWithdrawal {
        let tombstones = try catalogCall { try catalog.tombstones() }.filter { $0.takedownID == record.id }
        var known: [String: String] = [:]
        for id in record.images {
            let rows = try catalogCall { try [catalog.image(id)].compactMap { $0 } + catalog.derivatives(of: id) }
            for row in rows where !row.contentSHA256.isEmpty { known[row.filePath] = row.contentSHA256.lowercased() }
        }
        let files = record.cleanup.files.map { path in
            BackupWithdrawal.File(path: path, sha256: known[path] ?? (try? LocalFileDigest.compute(fileAt: content.absolute(path)))?.sha256.hex)  // try?: a file already deleted (a resumed request) has no hash to read; its path still matches in a restore
        }
        return BackupWithdrawal(record, tombstones: tombstones, files: files)
    }

    private func catalogCall<T>(_ body: () throws -> T) throws(TakedownError) -> T {
        do {
            return try body()
        } catch {
            throw .catalog("\(error)")
        }
    }
}
