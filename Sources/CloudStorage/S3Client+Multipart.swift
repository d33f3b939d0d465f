import Foundation
import Crypto

/// Multipart upload: create, upload parts (≥ 5 MiB except the last), complete; abort on any failure so
/// no invisible, billed part data is left behind.
extension S3Client {
    /// Starts a multipart upload; the content type and metadata apply to the final object.
    /// Returns the upload id.
    package func createMultipartUpload(key: String, contentType: String,
                                      metadata: S3ObjectMetadata) async throws(S3Error) -> String {
        var headers = [HTTPHeaderField("Content-Type", contentType)] + metadata.headers
        if configuration.sendsChecksums { headers.append(HTTPHeaderField("x-amz-checksum-algorithm", "SHA256")) }
        let operation = Operation(method: "POST", key: key, query: [QueryParameter("uploads")], headers: headers,
                                  label: label("CreateMultipartUpload", key: key))
        let response = try await perform(operation)
        guard let document = S3XMLDocument(data: response.body), let uploadID = document.first("UploadId") else {
            throw .malformedResponse(operation: operation.label, reason: "no UploadId in the response")
        }
        return uploadID
    }

    /// Uploads one part (numbers start at 1) and returns what `complete` needs.
    package func uploadPart(key: String, uploadID: String, partNumber: Int, data: Data) async throws(S3Error) -> S3UploadedPart {
        let digest = SHA256Digest.of(data)
        var headers: [HTTPHeaderField] = []
        if configuration.sendsChecksums {
            headers.append(HTTPHeaderField("x-amz-checksum-sha256", digest.base64))
            headers.append(HTTPHeaderField("x-amz-sdk-checksum-algorithm", "SHA256"))
        }
        let operation = Operation(method: "PUT", key: key,
                                  query: [QueryParameter("partNumber", String(partNumber)), QueryParameter("uploadId", uploadID)],
                                  headers: headers, body: data, payload: .sha256(digest),
                                  label: label("UploadPart \(partNumber)", key: key))
        let response = try await perform(operation)
        guard let etag = response.headers["etag"], !etag.isEmpty else {
            throw .malformedResponse(operation: operation.label, reason: "no ETag for the part")
        }
        if let returned = response.headers["x-amz-checksum-sha256"], returned != digest.base64 {
            throw .checksumMismatch(operation: operation.label, expected: digest.base64, actual: returned)
        }
        return S3UploadedPart(partNumber: partNumber, etag: etag, sha256: digest)
    }

    /// Completes the upload. A `200` whose body is an `<Error>` document is a failure (S3 sends the
    /// status before it has finished assembling the object).
    package func completeMultipartUpload(key: String, uploadID: String,
                                        parts: [S3UploadedPart]) async throws(S3Error) -> S3CompletedUpload {
        let sorted = parts.sorted { $0.partNumber < $1.partNumber }
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in sorted {
            xml += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\(Self.xmlEscaped(part.etag))</ETag>"
            if configuration.sendsChecksums { xml += "<ChecksumSHA256>\(part.sha256.base64)</ChecksumSHA256>" }
            xml += "</Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let body = Data(xml.utf8)
        let operation = Operation(method: "POST", key: key, query: [QueryParameter("uploadId", uploadID)],
                                  headers: [HTTPHeaderField("Content-Type", "application/xml")], body: body,
                                  payload: .bytes(body), label: label("CompleteMultipartUpload", key: key))
        let response = try await perform(operation)
        guard let document = S3XMLDocument(data: response.body) else {
            throw .malformedResponse(operation: operation.label, reason: "an empty or unreadable body")
        }
        if document.root == "Error" {
            throw classifier.error(status: 500, code: document.first("Code"), message: document.first("Message"),
                                   operation: operation.label, key: key)
        }
        guard let etag = document.first("ETag") else {
            throw .malformedResponse(operation: operation.label, reason: "no ETag in \(document.root)")
        }
        return S3CompletedUpload(etag: S3ObjectInfo.unquoted(etag), checksumSHA256: document.first("ChecksumSHA256"))
    }

    /// Aborts an upload and frees its parts (S3 answers 204, also for an already-finished id).
    package func abortMultipartUpload(key: String, uploadID: String) async throws(S3Error) {
        _ = try await perform(Operation(method: "DELETE", key: key, query: [QueryParameter("uploadId", uploadID)],
                                        label: label("AbortMultipartUpload", key: key)))
    }

    /// Multipart uploads started but neither completed nor aborted (first page, up to 1000) — for a
    /// clean-up command and for tests.
    package func listMultipartUploads() async throws(S3Error) -> [S3PendingUpload] {
        let operation = Operation(method: "GET", key: nil, query: [QueryParameter("uploads")],
                                  label: "ListMultipartUploads s3://\(configuration.bucket)")
        let response = try await perform(operation)
        guard let document = S3XMLDocument(data: response.body) else { return [] }
        return zip(document.all("Key"), document.all("UploadId")).map { S3PendingUpload(key: $0, uploadID: $1) }
    }

    struct MultipartResult {
        var etag: String
        var checksumSHA256: String?
        var parts: [S3UploadedPart]
        /// `base64(SHA-256(concatenated part digests))-<parts>`, S3's composite checksum.
        var compositeChecksum: String
    }

    /// The whole flow for a file, reading one part at a time (memory stays at one part).
    func uploadMultipart(fileAt path: String, key: String, contentType: String, metadata: S3ObjectMetadata,
                         digest: LocalFileDigest) async throws(S3Error) -> MultipartResult {
        let partSize = Self.partSize(for: digest.size, configured: configuration.partSize)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .localFile(path: path, reason: "the file does not exist or is not readable")
        }
        // try?: closing a file opened for reading loses nothing
        defer { try? handle.close() }
        let metadata = try metadataWithDigest(metadata, digest.sha256, label: label("CreateMultipartUpload", key: key))
        let uploadID = try await createMultipartUpload(key: key, contentType: contentType, metadata: metadata)
        do throws(S3Error) {
            var parts: [S3UploadedPart] = []
            var whole = SHA256Hasher()
            var composite = SHA256Hasher()
            var total: Int64 = 0
            while true {
                let chunk: Data
                do { chunk = try handle.read(upToCount: partSize) ?? Data() } catch {
                    throw .localFile(path: path, reason: "reading failed (\(error.localizedDescription))")
                }
                if chunk.isEmpty && !parts.isEmpty { break }
                whole.update(chunk)
                total += Int64(chunk.count)
                let part = try await uploadPart(key: key, uploadID: uploadID, partNumber: parts.count + 1, data: chunk)
                composite.update(part.sha256.bytes)
                parts.append(part)
                if chunk.count < partSize { break }
            }
            guard total == digest.size, whole.finalize() == digest.sha256 else {
                throw .localFile(path: path, reason: "the file changed while it was being uploaded; queue it again")
            }
            let completed = try await completeMultipartUpload(key: key, uploadID: uploadID, parts: parts)
            let expected = "\(composite.finalize().base64)-\(parts.count)"
            if let reported = completed.checksumSHA256, Self.checksumValue(reported) != Self.checksumValue(expected) {
                throw .checksumMismatch(operation: label("CompleteMultipartUpload", key: key),
                                        expected: expected, actual: reported)
            }
            return MultipartResult(etag: completed.etag, checksumSHA256: completed.checksumSHA256, parts: parts,
                                   compositeChecksum: expected)
        } catch {
            // Best effort: the original error is what the caller needs; a failed abort leaves parts that a
            // lifecycle rule (AbortIncompleteMultipartUpload) or `listMultipartUploads` clean-up removes.
            // try?: best effort; the part's error is what the caller must see, and an upload left open expires by the bucket's lifecycle rule
            try? await abortMultipartUpload(key: key, uploadID: uploadID)
            throw error
        }
    }

    /// The configured part size, raised if needed to stay within S3's 10,000 parts.
    static func partSize(for size: Int64, configured: Int) -> Int {
        let needed = (size + Int64(S3Configuration.maximumParts) - 1) / Int64(S3Configuration.maximumParts)
        return max(configured, S3Configuration.minimumPartSize, Int(needed))
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A part uploaded in a multipart upload.
package struct S3UploadedPart: Sendable, Hashable {
    package let partNumber: Int
    /// As returned (quoted), which is how `CompleteMultipartUpload` wants it.
    package let etag: String
    package let sha256: SHA256Digest
}

/// What `CompleteMultipartUpload` returned.
package struct S3CompletedUpload: Sendable, Hashable {
    /// Unquoted; ends in `-<parts>`.
    package let etag: String
    /// The composite checksum, when the store reports it.
    package let checksumSHA256: String?
}

/// A multipart upload that was started and not finished.
package struct S3PendingUpload: Sendable, Hashable {
    package let key: String
    package let uploadID: String
}
