import Foundation
import Catalog
import CloudStorage
import Crypto
import Pipeline

extension BackupWriter {
    /// Stores each image file of the snapshot and its sidecar as a blob (unless the blob is there
    /// already) and returns their manifest entries. An image whose catalog SHA-256 is already a blob
    /// of the file's size is not read again: that is what keeps a daily backup of a large, mostly
    /// unchanged library cheap.
    func storeImages(_ files: [CatalogImageFile],
                     in blobs: any BackupBlobStore) async throws(BackupError) -> ([BackupManifest.Entry], BackupImageStats) {
        var stats = BackupImageStats()
        let cloud: Set<String>
        if images == .leaveVerifiedToCloudCopy {
            (cloud, stats.cloudCopyNote) = await verifiedInCloudCopy(files)
        } else {
            cloud = []
        }
        let content = ContentStore(dataDirectory: sources.dataDirectory)
        var entries: [BackupManifest.Entry] = []
        for file in files {
            if cloud.contains(file.filePath) {
                stats.inCloudCopy.append(file.filePath)
            } else if let entry = try await storeBlob(file.filePath, role: .image, knownSHA256: file.sha256, in: blobs, stats: &stats) {
                entries.append(entry)
            } else {
                stats.missing.append(file.filePath)
            }
            // A missing sidecar is not an error: a restore rebuilds it from the catalog.
            if let sidecar = try await storeBlob(content.sidecarPath(for: file.filePath), role: .sidecar, knownSHA256: "",
                                                 in: blobs, stats: &stats) {
                entries.append(sidecar)
            }
        }
        return (entries, stats)
    }

    /// One file into the blob store; nil when it does not exist.
    func storeBlob(_ relative: String, role: BackupManifest.Role, knownSHA256: String, in blobs: any BackupBlobStore,
                   stats: inout BackupImageStats) async throws(BackupError) -> BackupManifest.Entry? {
        let path = sources.dataDirectory + "/" + relative
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw .file(path: path, reason: "cannot read it (\(String(cString: strerror(errno))))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .file(path: path, reason: "not a regular file") }
        let size = Int64(info.st_size)
        let known = knownSHA256.lowercased()
        if SHA256Digest(hex: known) != nil, try await blobs.storedSize(sha256: known) == size {
            stats.files += 1
            stats.bytes += size
            return .init(path: relative, role: role, size: size, sha256: known)
        }
        let digest: LocalFileDigest
        do { digest = try LocalFileDigest.compute(fileAt: path) } catch { throw .file(path: path, reason: error.description) }
        if try await blobs.storedSize(sha256: digest.sha256.hex) != digest.size {
            try await blobs.put(fileAt: path, digest: digest)
            stats.blobsAdded += 1
            stats.bytesAdded += digest.size
        }
        stats.files += 1
        stats.bytes += digest.size
        return .init(path: relative, role: role, size: digest.size, sha256: digest.sha256.hex)
    }

    /// The image paths whose cloud copy is proven: an uploaded queue row with the catalog's
    /// SHA-256, and an object whose HEAD shows that size and SHA-256. Anything unproven (including
    /// a cloud copy that cannot be reached) is included in the backup instead; the note says why.
    func verifiedInCloudCopy(_ files: [CatalogImageFile]) async -> (Set<String>, String?) {
        guard let uploads = sources.uploads else {
            return ([], "no upload queue to check the cloud copy against; every image is in the backup")
        }
        let client: S3Client
        do {
            if let makeCloudCopyClient {
                client = try makeCloudCopyClient()
            } else if let storage {
                client = try storage.makeClient(environment: environment)
            } else {
                return ([], "no cloud storage is configured (storage.s3); every image is in the backup")
            }
        } catch {
            return ([], "the cloud copy cannot be reached (\(error)); every image is in the backup")
        }
        let rows: [String: UploadItem]
        do {
            rows = Dictionary(try uploads.uploadItems(state: .uploaded, limit: Int.max).map { ($0.filePath, $0) }) { a, _ in a }
        } catch {
            return ([], "cannot read the upload queue (\(error)); every image is in the backup")
        }
        var verified: Set<String> = []
        var unproven = 0
        for file in files {
            guard let row = rows[file.filePath], let key = row.objectKey, let bytes = row.bytes,
                  let hex = row.sha256?.lowercased(), hex == file.sha256.lowercased(), let sha = SHA256Digest(hex: hex) else {
                unproven += 1
                continue
            }
            do throws(S3Error) {
                if let info = try await client.headObject(key: key),
                   case .identical = info.comparison(with: LocalFileDigest(path: file.filePath, size: bytes, sha256: sha)) {
                    verified.insert(file.filePath)
                } else {
                    unproven += 1
                }
            } catch {
                unproven += 1
            }
        }
        let note = unproven == 0 ? nil : "\(unproven) image(s) have no verified cloud copy and are in the backup"
        return (verified, note)
    }
}
