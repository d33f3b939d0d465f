import Foundation

/// A backup's name, `imagegen-backup-<yyyyMMdd'T'HHmmss'Z'>`, which carries its creation time (UTC).
/// Retention reads the time from the name, not from file dates that copies and uploads change.
package struct BackupArchiveName: Sendable, Hashable, Comparable, CustomStringConvertible {
    package static let prefix = "imagegen-backup-"
    package let createdAt: Date
    /// Without extension, e.g. `imagegen-backup-20260115T033000Z`.
    package let stem: String

    package init(createdAt: Date) {
        let seconds = createdAt.timeIntervalSince1970.rounded(.down)
        self.createdAt = Date(timeIntervalSince1970: seconds)
        stem = Self.prefix + Self.formatter.string(from: self.createdAt)
    }

    /// Parses a file or folder name (`.tar.gz` or none); nil for anything else.
    package init?(fileName: String) {
        var stem = fileName
        if stem.hasSuffix(".tar.gz") { stem = String(stem.dropLast(".tar.gz".count)) }
        guard stem.hasPrefix(Self.prefix), let date = Self.formatter.date(from: String(stem.dropFirst(Self.prefix.count))) else {
            return nil
        }
        createdAt = date
        self.stem = stem
    }

    package func fileName(_ format: BackupFormat) -> String {
        format == .tarGzip ? stem + ".tar.gz" : stem
    }

    package var description: String { stem }

    package static func < (a: BackupArchiveName, b: BackupArchiveName) -> Bool { a.createdAt < b.createdAt }

    private static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }()
}
