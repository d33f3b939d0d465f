import Foundation
import ImagegenJSON
import CloudStorage
import ImagegenConfig

/// The `backup` section: where `imagegen backup` and serve's daily backup write, and how many to keep.
///
/// ```json5
/// backup: { to: "/mnt/backups/imagegen", keep_daily: 7, keep_weekly: 4, at: "03:30", format: "tar.gz" }
/// ```
/// Every key is optional. Serve runs the daily backup only when the section exists (`backup: {}`
/// takes the defaults); `imagegen backup` works without it (to `<data>/backups`).
package struct BackupConfiguration: Sendable, Equatable {
    /// A folder, or `s3://bucket/prefix` (endpoint, region and credentials from `storage.s3`).
    /// nil: `<data>/backups`.
    package var to: String?
    package var keepDaily = 7
    package var keepWeekly = 4
    /// The daily backup's time of day, UTC.
    package var hour = 3
    package var minute = 30
    package var format: BackupFormat = .tarGzip

    package init() {}

    static let keys = ["to", "keep_daily", "keep_weekly", "at", "format"]

    /// The `backup` section, or nil when there is none.
    package static func load(from configuration: Configuration, file: String?) throws(ConfigurationError) -> BackupConfiguration? {
        guard let section = configuration.sections["backup"], !section.isNull else { return nil }
        let file = file ?? "(embedded defaults)"
        let reader = ConfigSectionReader(file: file, path: "backup")
        let object = try reader.object(section)
        try reader.rejectUnknown(object, known: keys)
        var backup = BackupConfiguration()
        backup.to = try reader.string(object, "to")
        if let to = backup.to {
            do { _ = try BackupDestination(parsing: to, dataDirectory: "/") } catch {
                throw .invalidValue(file: file, key: "backup.to", detail: error.description)
            }
        }
        backup.keepDaily = try reader.integer(object, "keep_daily", range: 0...3660) ?? backup.keepDaily
        backup.keepWeekly = try reader.integer(object, "keep_weekly", range: 0...520) ?? backup.keepWeekly
        if let at = try reader.string(object, "at") {
            let parts = at.split(separator: ":").map { Int($0) }
            guard parts.count == 2, let hour = parts[0], let minute = parts[1], (0..<24).contains(hour), (0..<60).contains(minute) else {
                throw .invalidValue(file: file, key: "backup.at", detail: "expected a UTC time of day as \"HH:MM\", got \"\(at)\"")
            }
            (backup.hour, backup.minute) = (hour, minute)
        }
        if let format = try reader.string(object, "format") {
            guard let parsed = BackupFormat(rawValue: format) else {
                throw .invalidValue(file: file, key: "backup.format", detail: "expected \"tar.gz\" or \"directory\", got \"\(format)\"")
            }
            backup.format = parsed
        }
        return backup
    }

    package var retention: BackupRetention { BackupRetention(keepDaily: keepDaily, keepWeekly: keepWeekly) }
}

/// How a backup is written: one `.tar.gz` file (packed by the system `tar`), or a plain folder.
package enum BackupFormat: String, Sendable, Equatable, Codable {
    case tarGzip = "tar.gz"
    case directory
}
