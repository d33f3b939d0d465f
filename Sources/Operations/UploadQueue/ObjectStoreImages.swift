import Foundation
import Catalog
import CloudStorage
import Crypto
import ImagegenCore

/// Reads an image file this host does not hold from the bucket the upload queue filled: with
/// several hosts on one catalog, an image stored by host A and asked for on host B.
///
/// The bytes are checked against the catalog's content hash before they are served, so a
/// truncated or replaced object is refused rather than passed on. Nothing is cached on disk: a
/// takedown or an erasure removes the local file and the object, and a copy kept on every host
/// that once served the image would outlive both.
package struct ObjectStoreImages: Sendable {
    let queue: UploadQueue
    let client: S3Client

    package init(queue: UploadQueue, client: S3Client) {
        self.queue = queue
        self.client = client
    }

    /// The bytes of `record`'s file from the bucket, verified against `record.contentSHA256`.
    package func fetch(_ record: ImageRecord) async throws(ObjectStoreImageError) -> Data {
        let rows: [UploadItem]
        do {
            rows = try queue.items(imageID: record.imageID)
        } catch {
            throw .catalog(imageID: record.imageID, reason: "\(error)")
        }
        guard let row = rows.first(where: { $0.filePath == record.filePath && $0.kind != .sidecar }) else {
            throw .notUploaded(imageID: record.imageID, filePath: record.filePath, state: nil)
        }
        guard row.state == .uploaded, let key = row.objectKey else {
            throw .notUploaded(imageID: record.imageID, filePath: record.filePath, state: row.state)
        }
        let data: Data
        do throws(S3Error) {
            data = try await client.getObject(key: key)
        } catch {
            throw .unreachable(imageID: record.imageID, key: key, reason: error.description)
        }
        let expected = record.contentSHA256.isEmpty ? row.sha256 : record.contentSHA256
        let actual = SHA256Digest.of(data).hex
        if let expected, !expected.isEmpty, expected.lowercased() != actual {
            throw .checksumMismatch(imageID: record.imageID, key: key, expected: expected, actual: actual)
        }
        return data
    }
}

/// Why an image file could not be read from the object store.
package enum ObjectStoreImageError: MeaningfulError, Equatable {
    /// The storing host has not uploaded it yet (or its upload failed): only that host serves it.
    case notUploaded(imageID: String, filePath: String, state: UploadState?)
    case unreachable(imageID: String, key: String, reason: String)
    case checksumMismatch(imageID: String, key: String, expected: String, actual: String)
    case catalog(imageID: String, reason: String)

    package var description: String {
        switch self {
        case let .notUploaded(id, path, state):
            let where_ = state.map { "its upload is \($0.rawValue)" } ?? "it is not in the upload queue"
            return "image \(id) is in the catalog but its file \(path) is not in this host's data folder, and \(where_) so the "
                + "bucket does not have it yet; ask the host that stored it, or wait for its upload (imagegen storage status)"
        case let .unreachable(id, key, reason):
            return "image \(id) is not in this host's data folder and the object store did not give \(key): \(reason)"
        case let .checksumMismatch(id, key, expected, actual):
            return "image \(id): the object \(key) in the bucket has SHA-256 \(actual), the catalog says \(expected); "
                + "it was not served. Re-upload it from the host that stored it (imagegen storage sync)"
        case let .catalog(id, reason):
            return "image \(id): cannot read its upload rows from the catalog: \(reason)"
        }
    }

    package var meaning: ErrorMeaning {
        switch self {
        case .notUploaded: return .notFound
        case .unreachable, .catalog: return .unavailable
        case .checksumMismatch: return .internal
        }
    }

    package var errorCode: String {
        switch self {
        case .notUploaded: return "file_missing"
        case .unreachable: return "object_store_unavailable"
        case .checksumMismatch: return "checksum_mismatch"
        case .catalog: return "catalog_unavailable"
        }
    }
}
