import Foundation
import ImagegenCore

/// Why a restore was refused or stopped. Nothing is written to the data folder unless the whole
/// archive verified, so each of these leaves the target as it was.
package enum RestoreError: Error, Sendable, CustomStringConvertible {
    /// One part of the archive (a file, the manifest, the compressed stream) is not what the manifest says.
    package struct DamagedPart: Sendable, Equatable, CustomStringConvertible {
        /// The part's path inside the archive (e.g. `catalog.sqlite`, `templates/product.json5`).
        package var part: String
        package var detail: String
        package var description: String { "\(part): \(detail)" }
    }

    case targetNotEmpty(path: String, entries: [String])
    case targetNotADirectory(path: String)
    case archiveNotFound(path: String)
    case notABackup(path: String, reason: String)
    case damaged(archive: String, parts: [DamagedPart])
    case newerFormat(archive: String, version: Int, writer: String)
    case unsafeMember(archive: String, member: String)
    case file(path: String, reason: String)
    case storage(String)

    package var description: String {
        switch self {
        case let .targetNotEmpty(path, entries):
            let shown = entries.prefix(5).joined(separator: ", ") + (entries.count > 5 ? ", …" : "")
            return "refusing to restore into \(path): the folder is not empty (it holds \(shown)). A restore never overwrites "
                + "data; restore into a new or empty folder with --data DIR, then swap the folders."
        case let .targetNotADirectory(path):
            return "refusing to restore into \(path): it exists and is not a folder; pass --data with a new or empty folder."
        case let .archiveNotFound(path):
            return "backup \(path) does not exist."
        case let .notABackup(path, reason):
            return "\(path) is not an imagegen backup: \(reason)."
        case let .damaged(archive, parts):
            let list = parts.map { "  - \($0.description)" }.joined(separator: "\n")
            return "the backup \(archive) is damaged; nothing was restored. Damaged part(s):\n\(list)\nUse another backup "
                + "(e.g. the previous day's)."
        case let .newerFormat(archive, version, writer):
            return "the backup \(archive) has format version \(version) (written by imagegen \(writer)); this imagegen "
                + "\(ImagegenVersion.current) reads up to version \(BackupManifest.currentFormatVersion). Restore it with a newer imagegen."
        case let .unsafeMember(archive, member):
            return "the backup \(archive) contains the path \"\(member)\", which would land outside the restore folder; "
                + "refusing it (the archive was not made by imagegen or was tampered with)."
        case let .file(path, reason):
            return "restore: \(path): \(reason)"
        case let .storage(message):
            return "restore: \(message)"
        }
    }
}
