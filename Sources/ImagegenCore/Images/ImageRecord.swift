import Foundation

/// The product's metadata record for one image: what the sidecar `<image_id>.json` holds and
/// what the catalog answers. Field names are the product's.
public struct ImageRecord: Sendable, Codable, Equatable {
    /// The product's `parameters{width,height,steps,guidance_scale,seed}`.
    public typealias Parameters = GenerationParameters

    public struct Metadata: Sendable, Codable, Equatable {
        /// ISO 8601, UTC.
        public var generatedAt: String
        /// plugin/provider model that made it.
        public var apiUsed: String
        /// USD; null when unknown (never 0 for unknown).
        public var cost: Double?
        /// Seconds from submit to stored file.
        public var processingTime: Double?
        enum CodingKeys: String, CodingKey {
            case cost
            case generatedAt = "generated_at", apiUsed = "api_used", processingTime = "processing_time"
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(generatedAt, forKey: .generatedAt)
            try c.encode(apiUsed, forKey: .apiUsed)
            try c.encode(cost, forKey: .cost)
            try c.encode(processingTime, forKey: .processingTime)
        }
        public init(generatedAt: String, apiUsed: String, cost: Double? = nil, processingTime: Double? = nil) {
            self.generatedAt = generatedAt
            self.apiUsed = apiUsed
            self.cost = cost
            self.processingTime = processingTime
        }
    }

    public var imageID: String
    public var prompt: String
    public var negativePrompt: String?
    public var model: String
    public var parameters: Parameters
    public var category: String
    public var tags: [String]
    /// Relative to the data folder.
    public var filePath: String
    public var metadata: Metadata
    /// `completed` once stored (the product's record); jobs keep their own states.
    public var status: String
    public static let completed = "completed"
    /// Removed by a takedown: no file, never listed as available, served (410) or uploaded.
    public static let takenDown = "taken_down"
    /// Held back by the output check (`outputCheck` says why): kept for reviewers, never
    /// available, uploaded or post-processed.
    public static let quarantined = "quarantined"
    /// Removed by a retention rule: files gone, the row kept for the ledger and the audit trail.
    public static let purged = "purged"
    public var version: Int
    public var parentID: String?
    public var variant: String
    public var contentSHA256: String
    public var jobID: String?
    public var mime: String
    public var bytes: Int
    public var qualityScore: Double?
    /// The whole quality report behind `qualityScore`: components, measurements and weights.
    public var quality: QualityReport? = nil
    /// The output nudity check's verdict (nil when the check is off or the image predates it).
    public var outputCheck: NudityVerdict? = nil
    /// Provenance: template, template version, variation, experiment arm, profile...
    public var extra: [String: String]

    enum CodingKeys: String, CodingKey {
        case prompt, model, parameters, category, tags, metadata, status, version, variant, mime, bytes, extra, quality
        case outputCheck = "output_check"
        case imageID = "image_id", negativePrompt = "negative_prompt", filePath = "file_path"
        case parentID = "parent_id", contentSHA256 = "content_sha256", jobID = "job_id", qualityScore = "quality_score"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(imageID, forKey: .imageID)
        try c.encode(prompt, forKey: .prompt)
        try c.encode(negativePrompt, forKey: .negativePrompt)
        try c.encode(model, forKey: .model)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(category, forKey: .category)
        try c.encode(tags, forKey: .tags)
        try c.encode(filePath, forKey: .filePath)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(status, forKey: .status)
        try c.encode(version, forKey: .version)
        try c.encode(parentID, forKey: .parentID)
        try c.encode(variant, forKey: .variant)
        try c.encode(contentSHA256, forKey: .contentSHA256)
        try c.encode(jobID, forKey: .jobID)
        try c.encode(mime, forKey: .mime)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(qualityScore, forKey: .qualityScore)
        try c.encodeIfPresent(quality, forKey: .quality)
        try c.encodeIfPresent(outputCheck, forKey: .outputCheck)
        try c.encode(extra, forKey: .extra)
    }
    public init(imageID: String, prompt: String, negativePrompt: String? = nil, model: String, parameters: Parameters, category: String, tags: [String], filePath: String, metadata: Metadata, status: String, version: Int, parentID: String? = nil, variant: String, contentSHA256: String, jobID: String? = nil, mime: String, bytes: Int, qualityScore: Double? = nil, quality: QualityReport? = nil, outputCheck: NudityVerdict? = nil, extra: [String: String]) {
        self.imageID = imageID
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.model = model
        self.parameters = parameters
        self.category = category
        self.tags = tags
        self.filePath = filePath
        self.metadata = metadata
        self.status = status
        self.version = version
        self.parentID = parentID
        self.variant = variant
        self.contentSHA256 = contentSHA256
        self.jobID = jobID
        self.mime = mime
        self.bytes = bytes
        self.qualityScore = qualityScore
        self.quality = quality
        self.outputCheck = outputCheck
        self.extra = extra
    }
}
