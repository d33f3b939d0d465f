import Foundation
import Catalog
import Imaging

/// What a takedown leaves at a backup destination so that no restore, of any backup made before
/// it, brings the images back: the blobs of their files are deleted, and this record stays beside
/// the blobs (`<blobs>/withdrawn/<takedown id>.json`). A restore skips the files it names and
/// replays it into the restored catalog (images taken down, tombstones, the request itself).
///
/// The archives themselves hold the catalog (rows, prompts), never pixels: the pixels live only in
/// the blobs, which is what makes one deletion reach every backup.
package struct BackupWithdrawal: Codable, Sendable, Equatable {
    package struct File: Codable, Sendable, Equatable {
        /// Relative to the data folder, as a backup manifest names it.
        package var path: String
        /// The file's content hash (its blob's name); nil when unknown (a sidecar already gone).
        package var sha256: String?
    }

    package struct Image: Codable, Sendable, Equatable {
        package var imageID: String
        package var sha256: String
        package var dhash: String?
        package var template: String?
        package var seed: UInt32?
    }

    package var takedownID: String
    package var targetKind: String
    package var target: String
    package var reason: String
    package var requestedBy: String
    package var requestedAt: Date
    package var receivedAt: Date
    package var committedAt: Date
    /// The originals taken down (their derivatives follow them in the catalog).
    package var images: [Image]
    package var files: [File]

    /// The record of a committed takedown, with the content hash of each of its files.
    package init(_ record: TakedownRecord, tombstones: [Tombstone], files: [File]) {
        takedownID = record.id
        targetKind = record.targetKind
        target = record.target
        reason = record.reason
        requestedBy = record.requestedBy
        requestedAt = record.requestedAt
        receivedAt = record.receivedAt
        committedAt = record.committedAt ?? record.receivedAt
        images = tombstones.map { Image(imageID: $0.imageID, sha256: $0.contentSHA256, dhash: $0.hash?.description,
                                        template: $0.template, seed: $0.seed) }
        self.files = files
    }

    /// Replays the takedown into `catalog` (a restored one): the same request, committed and
    /// complete (its files were never installed), with its tombstones. A catalog that has the
    /// request already is left as it is.
    package func replay(into catalog: any TakedownStore, now: Date) throws {
        try catalog.prepareTakedowns()
        guard try catalog.takedown(id: takedownID) == nil else { return }
        let record = TakedownRecord(id: takedownID, targetKind: targetKind, target: target, reason: reason,
                                    requestedAt: requestedAt, receivedAt: receivedAt, requestedBy: requestedBy)
        try catalog.openTakedown(record)
        let tombstones = images.map {
            Tombstone(imageID: $0.imageID, takedownID: takedownID, contentSHA256: $0.sha256,
                      hash: $0.dhash.flatMap(PerceptualHash.init(hex:)), template: $0.template, seed: $0.seed)
        }
        try catalog.commitTakedown(id: takedownID, originals: images.map(\.imageID), tombstones: tombstones,
                                   cleanup: TakedownCleanup(), now: committedAt)
        try catalog.completeTakedown(id: takedownID, error: nil, now: now)
    }

    static let folderName = "withdrawn"

    static func encode(_ withdrawal: BackupWithdrawal) throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(withdrawal)
    }

    static func decode(_ data: Data) throws -> BackupWithdrawal {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(BackupWithdrawal.self, from: data)
    }
}

/// Every withdrawal at a destination, as a restore uses them.
package struct BackupWithdrawals: Sendable {
    package let all: [BackupWithdrawal]
    private let paths: Set<String>
    private let hashes: Set<String>

    package init(_ all: [BackupWithdrawal]) {
        self.all = all
        paths = Set(all.flatMap { $0.files.map(\.path) })
        hashes = Set(all.flatMap { $0.files.compactMap(\.sha256) + $0.images.map(\.sha256) }.map { $0.lowercased() })
    }

    /// Whether a manifest entry is a file of a taken-down image (never installed again).
    package func covers(path: String, sha256: String) -> Bool {
        paths.contains(path) || hashes.contains(sha256.lowercased())
    }
}
