import Foundation
import Crypto

/// Single-object operations: PUT, HEAD, GET, DELETE, and bucket creation (for tests and setup).
extension S3Client {
    /// Uploads `data` in one PUT with `Content-Type`, `x-amz-checksum-sha256` and the metadata
    /// (`content-sha256` is added). Prefer `upload(fileAt:…)`, which also goes multipart and verifies.
    ///
    /// Integrity without MD5: libsodium has no MD5 and the project does not hand-write hashes, so instead of
    /// `Content-MD5` the body is protected twice with SHA-256 — the signed `x-amz-content-sha256` (S3 rejects
    /// a differing body with `XAmzContentSHA256Mismatch`) and `x-amz-checksum-sha256` (S3 verifies and stores
    /// it, and returns it on HEAD). ETags are recorded but not recomputed.
    package func putObject(_ data: Data, key: String, contentType: String,
                          metadata: S3ObjectMetadata = S3ObjectMetadata()) async throws(S3Error) -> S3PutResponse {
        let digest = SHA256Digest.of(data)
        let metadata = try metadataWithDigest(metadata, digest, label: label("PUT", key: key))
        var headers = [HTTPHeaderField("Content-Type", contentType)] + metadata.headers
        if configuration.sendsChecksums {
            headers.append(HTTPHeaderField("x-amz-checksum-sha256", digest.base64))
            // Real S3 ignores this SDK header on a plain PUT; moto only records the checksum when it is present.
            headers.append(HTTPHeaderField("x-amz-sdk-checksum-algorithm", "SHA256"))
        }
        let operation = Operation(method: "PUT", key: key, headers: headers, body: data,
                                  payload: .sha256(digest), label: label("PUT", key: key))
        let response = try await perform(operation)
        let returned = response.headers["x-amz-checksum-sha256"]
        if let returned, returned != digest.base64 {
            throw .checksumMismatch(operation: operation.label, expected: digest.base64, actual: returned)
        }
        return S3PutResponse(etag: S3ObjectInfo.unquoted(response.headers["etag"] ?? ""), checksumSHA256: returned,
                             sha256: digest)
    }

    /// HEAD: the object's size, ETag, checksum (requested with `x-amz-checksum-mode: ENABLED`) and
    /// metadata; `nil` when there is no such object.
    package func headObject(key: String) async throws(S3Error) -> S3ObjectInfo? {
        let headers = configuration.sendsChecksums ? [HTTPHeaderField("x-amz-checksum-mode", "ENABLED")] : []
        let operation = Operation(method: "HEAD", key: key, headers: headers, label: label("HEAD", key: key))
        do throws(S3Error) {
            let response = try await perform(operation)
            return S3ObjectInfo(key: key, responseHeaders: response.headers)
        } catch .noSuchKey {
            return nil
        } catch .accessDenied {
            // HEAD responses have no body, so a 403 cannot say *why* (wrong secret? unknown key? policy?).
            // A one-byte ranged GET returns the same refusal with its XML error code.
            throw await diagnoseRefusedHead(key: key)
        }
    }

    /// GET: the whole object in memory (images are small; use it for restore and tests).
    package func getObject(key: String) async throws(S3Error) -> Data {
        let operation = Operation(method: "GET", key: key, label: label("GET", key: key))
        return try await perform(operation).body
    }

    /// GET into a file without holding the object in memory (restore re-fetches images this way).
    ///
    /// The bytes land in `<path>.partial` and are renamed into place only when complete and, if the
    /// object carries our `content-sha256` metadata or a full-object SHA-256 checksum, only when they
    /// match it, so a restore never leaves a truncated or wrong image under the real name.
    /// Returns the SHA-256 of what was written.
    @discardableResult
    package func downloadObject(key: String, to path: String) async throws(S3Error) -> SHA256Digest {
        var headers: [HTTPHeaderField] = []
        if configuration.sendsChecksums { headers.append(HTTPHeaderField("x-amz-checksum-mode", "ENABLED")) }
        let operation = Operation(method: "GET", key: key, headers: headers, label: label("GET", key: key),
                                  bodyToFile: true)
        let response = try await perform(operation)
        guard let downloaded = response.bodyFile else {
            throw .malformedResponse(operation: operation.label, reason: "no body")
        }
        // try?: cleanup of a temporary download; the original error or result stands
        defer { try? FileManager.default.removeItem(at: downloaded) }
        let digest = try LocalFileDigest.compute(fileAt: downloaded.path)
        let info = S3ObjectInfo(key: key, responseHeaders: response.headers)
        if case .different(let reason) = info.comparison(with: digest) {
            throw .checksumMismatch(operation: operation.label, expected: "the stored object's checksum", actual: reason)
        }
        let partial = path + ".partial"
        do {
            // try?: cleanup of a partial download before the error below is thrown
            try? FileManager.default.removeItem(atPath: partial)
            try FileManager.default.moveItem(at: downloaded, to: URL(fileURLWithPath: partial))
            if FileManager.default.fileExists(atPath: path) {
                _ = try FileManager.default.replaceItemAt(URL(fileURLWithPath: path),
                                                         withItemAt: URL(fileURLWithPath: partial))
            } else {
                try FileManager.default.moveItem(atPath: partial, toPath: path)
            }
        } catch {
            // try?: cleanup of a partial download before the error below is thrown
            try? FileManager.default.removeItem(atPath: partial)
            throw .localFile(path: path, reason: "cannot write the downloaded object (\(error.localizedDescription))")
        }
        return digest.sha256
    }

    /// DELETE (S3 answers 204 whether or not the object existed).
    package func deleteObject(key: String) async throws(S3Error) {
        _ = try await perform(Operation(method: "DELETE", key: key, label: label("DELETE", key: key)))
    }

    /// Creates the configured bucket (outside us-east-1 with a `LocationConstraint`).
    package func createBucket() async throws(S3Error) {
        var body: Data?
        var headers: [HTTPHeaderField] = []
        if configuration.region != "us-east-1" {
            body = Data(("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(configuration.region)</LocationConstraint></CreateBucketConfiguration>").utf8)
            headers.append(HTTPHeaderField("Content-Type", "application/xml"))
        }
        let operation = Operation(method: "PUT", key: nil, headers: headers, body: body,
                                  payload: .bytes(body ?? Data()), label: "CreateBucket s3://\(configuration.bucket)")
        _ = try await perform(operation)
    }

    func metadataWithDigest(_ metadata: S3ObjectMetadata, _ digest: SHA256Digest,
                            label: String) throws(S3Error) -> S3ObjectMetadata {
        var metadata = metadata
        do throws(S3ObjectMetadataError) { try metadata.set(S3ObjectMetadata.contentSHA256Name, digest.hex) } catch {
            throw .invalidRequest("\(label): \(error.description)")
        }
        return metadata
    }

    private func diagnoseRefusedHead(key: String) async -> S3Error {
        let probe = Operation(method: "GET", key: key, headers: [HTTPHeaderField("Range", "bytes=0-0")],
                              label: label("HEAD", key: key))
        do throws(S3Error) {
            let response = try await sendOnce(probe)
            if (200..<300).contains(response.status) {
                return .accessDenied(accessKeyID: signer.credentials.accessKeyID, operation: probe.label)
            }
            return classifier.error(status: response.status, body: response.body, operation: probe.label, key: key)
        } catch {
            return error
        }
    }
}

/// What a single PUT returned.
package struct S3PutResponse: Sendable, Hashable {
    /// Unquoted ETag.
    package let etag: String
    /// The checksum the store echoed (real S3 does; some compatible stores don't).
    package let checksumSHA256: String?
    package let sha256: SHA256Digest
}
