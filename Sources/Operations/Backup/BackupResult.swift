import Foundation

/// What `BackupWriter.write` produced.
package struct BackupResult: Sendable, Encodable {
    package var name: String
    /// The archive's path or `s3://bucket/key`.
    package var location: String
    package var format: BackupFormat
    /// The archive's size (the folder's total for the directory format).
    package var bytes: Int64
    package var manifest: BackupManifest
    /// Older backups removed by retention (names).
    package var pruned: [String]
    /// Retention could not be applied (the backup itself is fine).
    package var retentionError: String?

    enum CodingKeys: String, CodingKey {
        case name, location, format, bytes, manifest, pruned
        case retentionError = "retention_error"
    }
}
