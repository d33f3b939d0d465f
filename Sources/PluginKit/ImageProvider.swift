/// What a Swift provider implements. PluginKit does the rest: the C tables, JSON at the
/// boundary, ownership of outputs and the conversion of errors into status codes.
///
/// The host owns the job state machine: a provider only translates between the host's neutral
/// request and its API, and must be able to resume a job from its reference alone (a fresh
/// process, or a new build of the plugin, polls jobs that an older one submitted).
public protocol ImageProvider: Sendable {
    /// The plugin's identity and models, as `describe` reports them.
    static var description: PluginDescription { get }

    /// Creates a configured instance. `config` is the provider's config section; keys are
    /// not in it (use `host.secret(_:)` or `"${secret:NAME}"` in a header).
    init(config: JSONValue, host: HostServices) throws(ProviderError)

    /// Sends one generation. Returns at least the job reference (`PollResult.ref`).
    func submit(_ request: GenerationRequest) throws(ProviderError) -> PollResult

    /// Reports the state of the job that `ref` names.
    func poll(_ ref: JSONValue) throws(ProviderError) -> PollResult

    /// The encoded bytes of output `index` of a succeeded job.
    func fetch(_ ref: JSONValue, index: Int) throws(ProviderError) -> [UInt8]

    /// Asks the provider to stop the job. Idempotent.
    func cancel(_ ref: JSONValue) throws(ProviderError)

    /// The account's remaining credit, when the provider exposes it (`imagegen.balance/1`).
    func balance() throws(ProviderError) -> Balance?
}

extension ImageProvider {
    public func balance() throws(ProviderError) -> Balance? { nil }
}

/// The neutral request the host sends to `submit` (see `imagegen_plugin.h`, submit()).
public struct GenerationRequest: Sendable, Codable, Equatable {
    public var schema: Int = 1
    public var jobID: String
    public var model: String
    public var modelName: String?
    public var prompt: String
    public var negativePrompt: String?
    public var width: Int
    public var height: Int
    public var steps: Int?
    public var guidanceScale: Double?
    public var seed: UInt32?
    public var numOutputs: Int = 1
    public var deadlineMs: Int64?
    public var allowNSFW: Bool = false
    public var options: [String: JSONValue] = [:]
    /// `generate` unless the host sends `vary` or `upscale` (see `InputImage`).
    public var kind: RequestKind = .generate
    /// The source image of a `vary` or `upscale` request.
    public var inputImage: InputImage?
    /// `vary`: 0...1, how far to move from the input.
    public var strength: Double?
    /// `upscale`: the factor; width/height already hold the target size.
    public var scale: Double?

    enum CodingKeys: String, CodingKey {
        case schema, model, prompt, width, height, steps, seed, options, kind, strength, scale
        case inputImage = "input_image"
        case jobID = "job_id", modelName = "model_name", negativePrompt = "negative_prompt"
        case guidanceScale = "guidance_scale", numOutputs = "num_outputs", deadlineMs = "deadline_ms"
        case allowNSFW = "allow_nsfw"
    }

    public init(jobID: String, model: String, prompt: String, width: Int, height: Int) {
        self.jobID = jobID
        self.model = model
        self.prompt = prompt
        self.width = width
        self.height = height
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        jobID = try c.decode(String.self, forKey: .jobID)
        model = try c.decode(String.self, forKey: .model)
        modelName = try c.decodeIfPresent(String.self, forKey: .modelName)
        prompt = try c.decode(String.self, forKey: .prompt)
        negativePrompt = try c.decodeIfPresent(String.self, forKey: .negativePrompt)
        width = try c.decode(Int.self, forKey: .width)
        height = try c.decode(Int.self, forKey: .height)
        steps = try c.decodeIfPresent(Int.self, forKey: .steps)
        guidanceScale = try c.decodeIfPresent(Double.self, forKey: .guidanceScale)
        seed = try c.decodeIfPresent(UInt32.self, forKey: .seed)
        numOutputs = try c.decodeIfPresent(Int.self, forKey: .numOutputs) ?? 1
        deadlineMs = try c.decodeIfPresent(Int64.self, forKey: .deadlineMs)
        allowNSFW = try c.decodeIfPresent(Bool.self, forKey: .allowNSFW) ?? false
        options = try c.decodeIfPresent([String: JSONValue].self, forKey: .options) ?? [:]
        kind = try c.decodeIfPresent(RequestKind.self, forKey: .kind) ?? .generate
        inputImage = try c.decodeIfPresent(InputImage.self, forKey: .inputImage)
        strength = try c.decodeIfPresent(Double.self, forKey: .strength)
        scale = try c.decodeIfPresent(Double.self, forKey: .scale)
    }
}

/// A job's state as `poll` (and `submit`) report it.
public struct PollResult: Sendable {
    public enum State: String, Sendable, Codable {
        case queued, running, succeeded, failed, cancelled
        case contentFiltered = "content_filtered"
    }

    public struct Output: Sendable, Equatable {
        public var index: Int
        public var mime: String
        public init(index: Int, mime: String) { self.index = index; self.mime = mime }
    }

    public var state: State
    public var ref: JSONValue?
    public var progress: Double?
    public var nextPollMilliseconds: Int?
    public var outputs: [Output] = []
    public var costUSD: Double?
    public var providerTimeSeconds: Double?
    public var seed: UInt32?
    public var error: ProviderError?
    /// Tokens the provider billed, for token price rules (set it after init).
    public var usage: TokenUsage?

    public init(state: State, ref: JSONValue? = nil, progress: Double? = nil, nextPollMilliseconds: Int? = nil,
                outputs: [Output] = [], costUSD: Double? = nil, providerTimeSeconds: Double? = nil,
                seed: UInt32? = nil, error: ProviderError? = nil) {
        self.state = state
        self.ref = ref
        self.progress = progress
        self.nextPollMilliseconds = nextPollMilliseconds
        self.outputs = outputs
        self.costUSD = costUSD
        self.providerTimeSeconds = providerTimeSeconds
        self.seed = seed
        self.error = error
    }

    /// The wire form described in `imagegen_plugin.h`.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["schema": 1, "state": .string(state.rawValue)]
        if let ref { o["ref"] = ref }
        if let progress { o["progress"] = .number(progress) }
        if let nextPollMilliseconds { o["next_poll_ms"] = .number(Double(nextPollMilliseconds)) }
        if !outputs.isEmpty {
            o["outputs"] = .array(outputs.map { ["index": .number(Double($0.index)), "mime": .string($0.mime)] })
        }
        o["cost_usd"] = costUSD.map { .number($0) } ?? .null
        if let providerTimeSeconds { o["provider_time_s"] = .number(providerTimeSeconds) }
        if let seed { o["seed"] = .number(Double(seed)) }
        if let usage { o["usage"] = usage.json }
        if let error {
            o["error"] = ["status": .number(Double(error.status.rawValue)), "message": .string(error.message)]
        }
        return .object(o)
    }
}

/// A provider account's remaining credit.
public struct Balance: Sendable, Equatable {
    public var credits: Double
    public var unit: String
    public init(credits: Double, unit: String) { self.credits = credits; self.unit = unit }
}

/// What `describe` reports.
public struct PluginDescription: Sendable {
    public struct Model: Sendable {
        public var name: String
        public var providerModel: String
        public var price: Price?
        public var capabilities: [String]
        public var nsfwAllowed: Bool?
        public var limits: [String: JSONValue]
        public var options: [String: JSONValue]

        public init(name: String, providerModel: String, price: Price?, capabilities: [String] = ["text-to-image"],
                    nsfwAllowed: Bool? = nil, limits: [String: JSONValue] = [:], options: [String: JSONValue] = [:]) {
            self.name = name
            self.providerModel = providerModel
            self.price = price
            self.capabilities = capabilities
            self.nsfwAllowed = nsfwAllowed
            self.limits = limits
            self.options = options
        }
    }

    public enum Price: Sendable {
        case perImage(Double)
        case perMegapixel(Double)
        case perSecond(Double)
        /// USD per million tokens; the host prices the job from the reported `usage`.
        case perMillionTokens(TokenPrices)
    }

    public var id: String
    public var name: String
    public var version: String
    public var nsfwAllowed: Bool
    public var threadSafe: Bool
    public var secrets: [String]
    /// Secrets read when set, never required (the host still routes to the plugin without them).
    public var optionalSecrets: [String]
    public var models: [Model]

    public init(id: String, name: String, version: String, nsfwAllowed: Bool, threadSafe: Bool = true,
                secrets: [String], optionalSecrets: [String] = [], models: [Model]) {
        self.id = id
        self.name = name
        self.version = version
        self.nsfwAllowed = nsfwAllowed
        self.threadSafe = threadSafe
        self.secrets = secrets
        self.optionalSecrets = optionalSecrets
        self.models = models
    }

    public var json: JSONValue {
        .object([
            "schema": 1, "id": .string(id), "name": .string(name), "version": .string(version),
            "nsfw_allowed": .bool(nsfwAllowed), "thread_safe": .bool(threadSafe),
            "secrets": .array(secrets.map { .string($0) }),
            "optional_secrets": .array(optionalSecrets.map { .string($0) }),
            "models": .array(models.map { m in
                var o: [String: JSONValue] = [
                    "name": .string(m.name), "provider_model": .string(m.providerModel),
                    "capabilities": .array(m.capabilities.map { .string($0) }),
                ]
                switch m.price {
                case .perImage(let v): o["price"] = ["per_image": .number(v)]
                case .perMegapixel(let v): o["price"] = ["per_megapixel": .number(v)]
                case .perSecond(let v): o["price"] = ["per_second": .number(v)]
                case .perMillionTokens(let t): o["price"] = ["per_million_tokens": t.json]
                case nil: o["price"] = .null
                }
                if let n = m.nsfwAllowed { o["nsfw_allowed"] = .bool(n) }
                if !m.limits.isEmpty { o["limits"] = .object(m.limits) }
                if !m.options.isEmpty { o["options"] = .object(m.options) }
                return .object(o)
            }),
        ])
    }
}
