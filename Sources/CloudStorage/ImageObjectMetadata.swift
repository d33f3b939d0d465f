import Foundation
import Crypto

/// The image fields stored with its cloud copy as `x-amz-meta-*`.
///
/// Deliberately has no prompt or negative-prompt field: prompts are encrypted at rest in the catalog
/// and must not leak into object metadata, which anyone with read access to the bucket can see.
package struct ImageObjectMetadata: Sendable, Hashable {
    package var imageID: String
    package var category: String
    package var model: String
    /// The image's cost in the catalog's currency; `nil` when unknown (then the field is omitted, never 0).
    package var cost: Decimal?
    package var contentSHA256: SHA256Digest
    package var createdAt: Date

    package init(imageID: String, category: String, model: String, cost: Decimal?, contentSHA256: SHA256Digest,
                createdAt: Date) {
        self.imageID = imageID
        self.category = category
        self.model = model
        self.cost = cost
        self.contentSHA256 = contentSHA256
        self.createdAt = createdAt
    }

    /// `image-id`, `category`, `model`, `cost` (when known), `content-sha256`, `created-at` (ISO-8601 UTC).
    package func objectMetadata() throws(S3ObjectMetadataError) -> S3ObjectMetadata {
        var metadata = S3ObjectMetadata()
        try metadata.set("image-id", imageID)
        try metadata.set("category", category)
        try metadata.set("model", model)
        if let cost { try metadata.set("cost", "\(cost)") }
        try metadata.set(S3ObjectMetadata.contentSHA256Name, contentSHA256.hex)
        try metadata.set("created-at", Self.iso8601(createdAt))
        return metadata
    }

    private static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
