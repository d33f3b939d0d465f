import Foundation
import ImagegenJSON

/// A job as the catalog holds it.
public struct Job: Sendable, Equatable, Codable {
    public var id: String
    public var batchID: String
    public var state: JobState
    public var cancelRequested: Bool
    public var model: String
    public var category: String
    public var priority: Int
    public var prompt: String
    public var negativePrompt: String?
    public var parameters: GenerationParameters
    public var outputs: Int
    public var extra: [String: String]
    public var tags: [String]
    public var pluginID: String?
    public var providerModel: String?
    public var pluginGeneration: Int?
    public var jobRef: JSONValue?
    public var submitCount: Int
    /// Candidates already tried (plugin/provider model), so fail-over moves on.
    public var tried: [String]
    public var reservedUSD: Double?
    public var costUSD: Double?
    public var costSource: String?
    public var providerTimeSeconds: Double?
    public var progress: Double?
    public var errorCode: String?
    public var errorMessage: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var submittedAt: Date?
    public var finishedAt: Date?
    public var deadlineAt: Date

    enum CodingKeys: String, CodingKey {
        case id, state, model, category, priority, prompt, parameters, outputs, extra, tags, tried, progress
        case batchID = "batch_id", cancelRequested = "cancel_requested", negativePrompt = "negative_prompt"
        case pluginID = "plugin", providerModel = "provider_model", pluginGeneration = "plugin_generation"
        case jobRef = "job_ref", submitCount = "submit_count", reservedUSD = "reserved_usd", costUSD = "cost_usd"
        case costSource = "cost_source", providerTimeSeconds = "provider_time_s", errorCode = "error_code"
        case errorMessage = "error_message", createdAt = "created_at", updatedAt = "updated_at"
        case submittedAt = "submitted_at", finishedAt = "finished_at", deadlineAt = "deadline_at"
    }

    // Nulls are written out: "unknown cost" must read as null, not as a missing key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(batchID, forKey: .batchID)
        try c.encode(state, forKey: .state)
        try c.encode(cancelRequested, forKey: .cancelRequested)
        try c.encode(model, forKey: .model)
        try c.encode(category, forKey: .category)
        try c.encode(priority, forKey: .priority)
        try c.encode(prompt, forKey: .prompt)
        try c.encode(negativePrompt, forKey: .negativePrompt)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(outputs, forKey: .outputs)
        try c.encode(extra, forKey: .extra)
        try c.encode(tags, forKey: .tags)
        try c.encode(pluginID, forKey: .pluginID)
        try c.encode(providerModel, forKey: .providerModel)
        try c.encode(submitCount, forKey: .submitCount)
        try c.encode(reservedUSD, forKey: .reservedUSD)
        try c.encode(costUSD, forKey: .costUSD)
        try c.encode(costSource, forKey: .costSource)
        try c.encode(providerTimeSeconds, forKey: .providerTimeSeconds)
        try c.encode(progress, forKey: .progress)
        try c.encode(errorCode, forKey: .errorCode)
        try c.encode(errorMessage, forKey: .errorMessage)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(submittedAt, forKey: .submittedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(deadlineAt, forKey: .deadlineAt)
    }
    public init(id: String, batchID: String, state: JobState, cancelRequested: Bool, model: String, category: String, priority: Int, prompt: String, negativePrompt: String? = nil, parameters: GenerationParameters, outputs: Int, extra: [String: String], tags: [String], pluginID: String? = nil, providerModel: String? = nil, pluginGeneration: Int? = nil, jobRef: JSONValue? = nil, submitCount: Int, tried: [String], reservedUSD: Double? = nil, costUSD: Double? = nil, costSource: String? = nil, providerTimeSeconds: Double? = nil, progress: Double? = nil, errorCode: String? = nil, errorMessage: String? = nil, createdAt: Date, updatedAt: Date, submittedAt: Date? = nil, finishedAt: Date? = nil, deadlineAt: Date) {
        self.id = id
        self.batchID = batchID
        self.state = state
        self.cancelRequested = cancelRequested
        self.model = model
        self.category = category
        self.priority = priority
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.parameters = parameters
        self.outputs = outputs
        self.extra = extra
        self.tags = tags
        self.pluginID = pluginID
        self.providerModel = providerModel
        self.pluginGeneration = pluginGeneration
        self.jobRef = jobRef
        self.submitCount = submitCount
        self.tried = tried
        self.reservedUSD = reservedUSD
        self.costUSD = costUSD
        self.costSource = costSource
        self.providerTimeSeconds = providerTimeSeconds
        self.progress = progress
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.submittedAt = submittedAt
        self.finishedAt = finishedAt
        self.deadlineAt = deadlineAt
    }
}
