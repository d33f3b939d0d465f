import Foundation

/// `manifest.json` at the root of every backup: what is inside and each file's SHA-256, so a
/// restore can prove the archive intact before it touches anything. Its own SHA-256 is in
/// `manifest.sha256` (the `sha256sum` format, so `sha256sum -c manifest.sha256` works by hand).
package struct BackupManifest: Sendable, Equatable, Codable {
    package static let formatName = "imagegen-backup"
    /// Bumped when the layout changes incompatibly; a restore refuses newer versions.
    /// 2: `images` (blobs beside the archive). A version-1 backup restores as before (images from
    /// the cloud copy only).
    package static let currentFormatVersion = 2
    package static let fileName = "manifest.json"
    package static let checksumFileName = "manifest.sha256"

    package struct Entry: Sendable, Equatable, Codable {
        /// Relative to the archive's root folder, `/`-separated.
        package var path: String
        package var role: Role
        package var size: Int64
        /// Lower-case hex.
        package var sha256: String
    }

    package enum Role: String, Sendable, Equatable, Codable {
        case catalog, config, template, audit
        /// An image file or its sidecar: `path` is relative to the data folder; the bytes are the
        /// blob named `sha256` in the blob store.
        case image, sidecar
    }

    /// Row counts and schema versions of the catalog snapshot, for the operator and for checks.
    package struct CatalogInfo: Sendable, Equatable, Codable {
        package var schemaVersion: Int
        package var modules: [String: Int]
        package var jobs: Int
        package var images: Int
        package var ledger: Int
        enum CodingKeys: String, CodingKey {
            case modules, jobs, images, ledger
            case schemaVersion = "schema_version"
        }
    }

    package var format: String
    package var formatVersion: Int
    package var createdAt: String
    package var imagegenVersion: String
    /// Where the config file lived when the backup was made (restore puts it in the data folder).
    package var configOriginalPath: String?
    package var catalog: CatalogInfo
    package var files: [Entry]
    /// Image files and sidecars held as blobs; nil for a backup without images (format 1).
    package var images: [Entry]?
    /// Image files left out because their cloud copy was verified (`--without-images`); a restore
    /// fetches these from the cloud copy.
    package var imagesInCloudCopy: [String]?

    enum CodingKeys: String, CodingKey {
        case format, catalog, files
        case formatVersion = "format_version", createdAt = "created_at", imagegenVersion = "imagegen_version"
        case configOriginalPath = "config_original_path"
        case images, imagesInCloudCopy = "images_in_cloud_copy"
    }

    /// Stable bytes (sorted keys) so the recorded checksum is reproducible.
    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
