import Foundation

/// Whether a backup holds the image files.
package enum BackupImagePolicy: Sendable, Equatable {
    /// Every image file and sidecar the snapshot lists goes to the blob store.
    case include
    /// `--without-images`: an image whose cloud copy is verified (uploaded, and a HEAD shows the
    /// recorded size and SHA-256) is left to the cloud copy; every other image is still included.
    case leaveVerifiedToCloudCopy
}

/// What a backup did with the image files; `bytesAdded` is what this backup wrote to the blob
/// store (0 for a second backup of an unchanged library).
package struct BackupImageStats: Sendable, Equatable, Encodable {
    /// Image files and sidecars listed in the manifest.
    package var files = 0
    /// Their total size.
    package var bytes: Int64 = 0
    /// Blobs this backup stored, and their bytes.
    package var blobsAdded = 0
    package var bytesAdded: Int64 = 0
    /// Image paths left to the verified cloud copy.
    package var inCloudCopy: [String] = []
    /// Image files the catalog lists but the data folder lacks (they cannot be backed up).
    package var missing: [String] = []
    /// Why the cloud copy could not be relied on, when `--without-images` was asked for.
    package var cloudCopyNote: String?

    package init() {}

    enum CodingKeys: String, CodingKey {
        case files, bytes, missing
        case blobsAdded = "blobs_added", bytesAdded = "bytes_added", inCloudCopy = "in_cloud_copy"
        case cloudCopyNote = "cloud_copy_note"
    }
}
