import Foundation

/// What `BackupWriter.write` produced.
public struct BackupResult: Sendable, Encodable {
    public var name: String
    /// The archive's path or `s3://bucket/key`.
    public var location: String
    public var format: BackupFormat
    /// The archive's size (the folder's total for the directory format).
    public var bytes: Int64
    public var manifest: BackupManifest
    /// Older backups removed by retention (names).
    public var pruned: [String]
    /// Retention could not be applied (the backup itself is fine).
    public var retentionError: String?

    enum CodingKeys: String, CodingKey {
        case name, location, format, bytes, manifest, pruned
        case retentionError = "retention_error"
    }
}
