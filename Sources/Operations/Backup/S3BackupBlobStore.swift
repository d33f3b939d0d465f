import Foundation
import CloudStorage
import Crypto

/// The blob store of an `s3://bucket/prefix` destination: `<prefix>/blobs/<sha256>`. A PUT is
/// whole or absent, and the upload is checked against the digest (size and SHA-256).
package struct S3BackupBlobStore: BackupBlobStore {
    package let client: S3Client
    package let prefix: String
    /// Takedown records go beside the archives: `<backups prefix>/imagegen-withdrawn-<id>.json`.
    package let withdrawalPrefix: String

    /// `prefix` is the backups' prefix; blobs go under `<prefix>/blobs/`.
    package init(client: S3Client, backupsPrefix: String) {
        self.client = client
        prefix = (backupsPrefix.isEmpty ? "" : backupsPrefix + "/") + LocalBackupBlobStore.folderName
        withdrawalPrefix = (backupsPrefix.isEmpty ? "" : backupsPrefix + "/") + "imagegen-withdrawn-"
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

    package func withdraw(_ withdrawal: BackupWithdrawal) async throws(BackupError) {
        do {
            let body = try BackupWithdrawal.encode(withdrawal)
            _ = try await client.putObject(body, key: withdrawalPrefix + withdrawal.takedownID + ".json", contentType: "application/json")
        } catch let error as S3Error {
            throw .s3(error)
        } catch {
            throw .storageClient("cannot encode the takedown record: \(error)")
        }
        for sha in Set(withdrawal.files.compactMap(\.sha256)) where SHA256Digest(hex: sha) != nil {
            do { try await client.deleteObject(key: key(sha256: sha)) } catch { throw .s3(error) }
        }
    }

    package func withdrawals() async throws(RestoreError) -> BackupWithdrawals {
        do {
            var all: [BackupWithdrawal] = []
            // Listed by the key's first segment, filtered here: moto (as of 5.2, with botocore too)
            // rejects the signature of a ListObjectsV2 whose prefix holds a `/`. A restore fetches
            // every blob anyway, so one listing of the destination is a small extra.
            let listing = String(withdrawalPrefix.prefix { $0 != "/" })
            for object in try await client.listObjects(prefix: listing)
            where object.key.hasPrefix(withdrawalPrefix) && object.key.hasSuffix(".json") {
                all.append(try BackupWithdrawal.decode(try await client.getObject(key: object.key)))
            }
            return BackupWithdrawals(all)
        } catch {
            // A takedown record that cannot be read must stop the restore: it could bring an image back.
            throw .storage("cannot read the takedown records s3://\(client.configuration.bucket)/\(withdrawalPrefix)*: \(error)")
        }
    }
}
