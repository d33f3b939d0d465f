/// The product's generation parameters, validated (see `RequestValidator`).
public struct GenerationParameters: Sendable, Codable, Equatable {
    public var width: Int
    public var height: Int
    public var steps: Int?
    public var guidanceScale: Double?
    /// Always set once validated: chosen at random when the request has none, and recorded.
    public var seed: UInt32?

    public init(width: Int, height: Int, steps: Int? = nil, guidanceScale: Double? = nil, seed: UInt32? = nil) {
        self.width = width
        self.height = height
        self.steps = steps
        self.guidanceScale = guidanceScale
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case width, height, steps, seed
        case guidanceScale = "guidance_scale"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(steps, forKey: .steps)
        try c.encode(guidanceScale, forKey: .guidanceScale)
        try c.encode(seed, forKey: .seed)
    }
}

/// One generation as asked for, before validation. Every field but the prompt is optional:
/// defaults come from the config.
public struct GenerationRequest: Sendable, Codable, Equatable {
    public var model: String?
    public var prompt: String
    public var negativePrompt: String?
    public var width: Int?
    public var height: Int?
    public var steps: Int?
    public var guidanceScale: Double?
    public var seed: Int64?
    public var category: String?
    public var variations: Int?
    public var tags: [String]?
    /// Higher runs first (the planning module's urgent requests).
    public var priority: Int?
    /// Seconds from now until the job must be finished.
    public var deadlineSeconds: Double?
    /// Free-form provenance recorded on the images (template, variation, arm...).
    public var extra: [String: String]?
    /// `vary` and `upscale` start from the stored image `extra["parent_id"]` (see `GenerationKind`).
    public var kind: GenerationKind?
    /// `vary`: 0...1, how far to move from the source image.
    public var strength: Double?
    /// `upscale`: 2...4; width and height are then the target size.
    public var scale: Int?

    public init(model: String? = nil, prompt: String, negativePrompt: String? = nil, width: Int? = nil, height: Int? = nil,
                steps: Int? = nil, guidanceScale: Double? = nil, seed: Int64? = nil, category: String? = nil,
                variations: Int? = nil, tags: [String]? = nil, priority: Int? = nil, deadlineSeconds: Double? = nil,
                extra: [String: String]? = nil, kind: GenerationKind? = nil, strength: Double? = nil, scale: Int? = nil) {
        self.kind = kind
        self.strength = strength
        self.scale = scale
        self.model = model
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.width = width
        self.height = height
        self.steps = steps
        self.guidanceScale = guidanceScale
        self.seed = seed
        self.category = category
        self.variations = variations
        self.tags = tags
        self.priority = priority
        self.deadlineSeconds = deadlineSeconds
        self.extra = extra
    }

    enum CodingKeys: String, CodingKey {
        case model, prompt, width, height, steps, seed, category, variations, tags, priority, extra, kind, strength, scale
        case negativePrompt = "negative_prompt", guidanceScale = "guidance_scale", deadlineSeconds = "deadline_seconds"
    }
}
