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
    /// The image files: how many, how many bytes, and what this backup added to the blob store.
    package var images: BackupImageStats
    /// Older backups removed by retention (names).
    package var pruned: [String]
    /// Retention could not be applied (the backup itself is fine).
    package var retentionError: String?

    enum CodingKeys: String, CodingKey {
        case name, location, format, bytes, manifest, images, pruned
        case retentionError = "retention_error"
    }
}
