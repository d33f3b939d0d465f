import Foundation

/// `manifest.json` at the root of every backup: what is inside and each file's SHA-256, so a
/// restore can prove the archive intact before it touches anything. Its own SHA-256 is in
/// `manifest.sha256` (the `sha256sum` format, so `sha256sum -c manifest.sha256` works by hand).
public struct BackupManifest: Sendable, Equatable, Codable {
    public static let formatName = "imagegen-backup"
    /// Bumped when the layout changes incompatibly; a restore refuses newer versions.
    public static let currentFormatVersion = 1
    public static let fileName = "manifest.json"
    public static let checksumFileName = "manifest.sha256"

    public struct Entry: Sendable, Equatable, Codable {
        /// Relative to the archive's root folder, `/`-separated.
        public var path: String
        public var role: Role
        public var size: Int64
        /// Lower-case hex.
        public var sha256: String
    }

    public enum Role: String, Sendable, Equatable, Codable {
        case catalog, config, template, audit
    }

    /// Row counts and schema versions of the catalog snapshot, for the operator and for checks.
    public struct CatalogInfo: Sendable, Equatable, Codable {
        public var schemaVersion: Int
        public var modules: [String: Int]
        public var jobs: Int
        public var images: Int
        public var ledger: Int
        enum CodingKeys: String, CodingKey {
            case modules, jobs, images, ledger
            case schemaVersion = "schema_version"
        }
    }

    public var format: String
    public var formatVersion: Int
    public var createdAt: String
    public var imagegenVersion: String
    /// Where the config file lived when the backup was made (restore puts it in the data folder).
    public var configOriginalPath: String?
    public var catalog: CatalogInfo
    public var files: [Entry]

    enum CodingKeys: String, CodingKey {
        case format, catalog, files
        case formatVersion = "format_version", createdAt = "created_at", imagegenVersion = "imagegen_version"
        case configOriginalPath = "config_original_path"
    }

    /// Stable bytes (sorted keys) so the recorded checksum is reproducible.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
