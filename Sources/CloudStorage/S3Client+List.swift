import Foundation

/// Listing objects under a prefix (ListObjectsV2), for backup retention on S3 destinations.
extension S3Client {
    /// Every object whose key starts with `prefix`, following continuation tokens (1000 per page).
    package func listObjects(prefix: String) async throws(S3Error) -> [S3ListedObject] {
        var objects: [S3ListedObject] = []
        var token: String?
        repeat {
            var query = [QueryParameter("list-type", "2"), QueryParameter("prefix", prefix)]
            if let token { query.append(QueryParameter("continuation-token", token)) }
            let operation = Operation(method: "GET", key: nil, query: query,
                                      label: "ListObjectsV2 s3://\(configuration.bucket)/\(prefix)")
            let response = try await perform(operation)
            guard let document = S3XMLDocument(data: response.body), document.root == "ListBucketResult" else {
                throw .malformedResponse(operation: operation.label, reason: "not a ListBucketResult document")
            }
            // Keys and sizes appear once per <Contents>, in order; prefix/token elements have other names.
            let keys = document.all("Key")
            let sizes = document.all("Size").map { Int64($0) ?? 0 }
            guard keys.count == sizes.count else {
                throw .malformedResponse(operation: operation.label, reason: "\(keys.count) keys but \(sizes.count) sizes")
            }
            objects += zip(keys, sizes).map { S3ListedObject(key: $0, size: $1) }
            token = document.first("IsTruncated") == "true" ? document.first("NextContinuationToken") : nil
        } while token != nil
        return objects
    }
}

/// An object found by `listObjects`.
package struct S3ListedObject: Sendable, Hashable {
    package let key: String
    package let size: Int64
}
