import Foundation
import CloudStorage

/// The blob store of an `s3://bucket/prefix` destination: `<prefix>/blobs/<sha256>`. A PUT is
/// whole or absent, and the upload is checked against the digest (size and SHA-256).
package struct S3BackupBlobStore: BackupBlobStore {
    package let client: S3Client
    package let prefix: String

    /// `prefix` is the backups' prefix; blobs go under `<prefix>/blobs/`.
    package init(client: S3Client, backupsPrefix: String) {
        self.client = client
        prefix = (backupsPrefix.isEmpty ? "" : backupsPrefix + "/") + LocalBackupBlobStore.folderName
    }

    package var location: String { "s3://\(client.configuration.bucket)/\(prefix)" }

    package func key(sha256: String) -> String { prefix + "/" + sha256 }

    package func storedSize(sha256: String) async throws(BackupError) -> Int64? {
        do { return try await client.headObject(key: key(sha256: sha256))?.size } catch { throw .s3(error) }
    }

    package func put(fileAt path: String, digest: LocalFileDigest) async throws(BackupError) {
        do {
            _ = try await client.upload(fileAt: path, key: key(sha256: digest.sha256.hex), contentType: "application/octet-stream",
                                        digest: digest)
        } catch {
            throw .s3(error)
        }
    }

    package func fetch(sha256: String, to path: String) async throws(RestoreError) -> LocalFileDigest {
        do {
            let digest = try await client.downloadObject(key: key(sha256: sha256), to: path)
            var info = stat()
            let size = lstat(path, &info) == 0 ? Int64(info.st_size) : -1
            return LocalFileDigest(path: path, size: size, sha256: digest)
        } catch {
            throw .storage("blob \(location)/\(sha256): \(error.description)")
        }
    }
}
