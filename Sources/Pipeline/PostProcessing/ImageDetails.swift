import Foundation
import Catalog
import ImagegenCore
import Imaging

/// One image as `imagegen images show` and `GET /v1/images/{id}` present it: its record, plus
/// for an original its derivatives (with their scores) and its post-processing runs.
package struct ImageDetails: Encodable, Sendable {
    package var record: ImageRecord
    package var derivatives: [DerivativeSummary]
    package var postProcessing: [PostProcessingRun]

    package init(record: ImageRecord, derivatives: [ImageRecord], runs: [PostProcessingRun]) {
        self.record = record
        self.derivatives = derivatives.map(DerivativeSummary.init)
        self.postProcessing = runs
    }

    /// The details of `record` from the catalog (no derivatives for a derivative).
    package init(record: ImageRecord, catalog: any PostProcessingStore) throws {
        guard record.variant == "original" else {
            self.init(record: record, derivatives: [], runs: [])
            return
        }
        self.init(record: record, derivatives: try catalog.derivatives(of: record.imageID), runs: try catalog.runs(of: record.imageID))
    }

    enum CodingKeys: String, CodingKey { case derivatives, postProcessing = "post_processing" }

    /// The record's own keys, then `derivatives` and `post_processing` beside them, so a reader
    /// of the plain record (the sidecar's shape) reads this too.
    package func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        guard record.variant == "original" else { return }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(derivatives, forKey: .derivatives)
        try c.encode(postProcessing, forKey: .postProcessing)
    }
}

/// A derivative in short: what it is, how big, how good, where.
package struct DerivativeSummary: Codable, Sendable, Equatable {
    package var imageID: String
    package var run: Int
    package var variant: String
    package var format: String
    package var width: Int
    package var height: Int
    package var bytes: Int
    package var qualityScore: Double?
    package var quality: QualityComponents?
    package var filePath: String

    package init(_ record: ImageRecord) {
        imageID = record.imageID
        run = record.version
        variant = record.variant
        format = ImageFormat(mimeType: record.mime)?.rawValue ?? record.mime
        width = record.parameters.width
        height = record.parameters.height
        bytes = record.bytes
        qualityScore = record.qualityScore
        quality = record.quality?.components
        filePath = record.filePath
    }

    enum CodingKeys: String, CodingKey {
        case run, variant, format, width, height, bytes, quality
        case imageID = "image_id", qualityScore = "quality_score", filePath = "file_path"
    }
}
