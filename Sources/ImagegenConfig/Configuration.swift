import Foundation
import ImagegenJSON
import ImagegenCore
import Imaging

/// The operator's configuration: a JSON5 file, every key optional. A missing file means the
/// embedded defaults, which run the whole product offline on the Preview provider.
///
/// Keys never come from here: `providers.<id>` sections are handed to plugins as they are, so
/// a secret-looking key in them is refused rather than passed on (see `ConfigurationError`).
public struct Configuration: Sendable {
    /// Per-plugin sections, passed to the plugin's `create` (plus host-only keys below).
    public var providers: [String: JSONValue] = [:]
    /// Model overrides and extra models, by model name.
    public var models: [String: ModelSettings] = [:]
    /// Alias → model name.
    public var aliases: [String: String] = [:]
    public var defaults = GenerationDefaults()
    public var budgets = BudgetSettings()
    /// Known categories beyond those the templates declare.
    public var categories: [String: CategorySettings] = Configuration.defaultCategories
    /// The operator's age-verification attestation; adult categories are refused without it.
    public var attestation: Attestation?
    public var jobs = JobSettings()
    public var health = HealthSettings()
    /// Post-processing, input limits and the quality score (checked when the file is loaded).
    public var imaging = ImagingConfiguration()
    /// The output nudity check (issue 17 item 6).
    public var outputCheck = OutputCheckSettings()
    /// How long rejected and quarantined images are kept (issue 17 item 9).
    public var retention = RetentionSettings()
    /// Everything else, kept for the modules that own those sections.
    public var sections: [String: JSONValue] = [:]

    public init() {}

    public static let defaultCategories: [String: CategorySettings] = [
        "product": CategorySettings(adult: false),
        "lingerie": CategorySettings(adult: true),
        "feet": CategorySettings(adult: true),
        "artistic_nude": CategorySettings(adult: true),
    ]
}

/// Host-side settings for one model (all optional): re-price, alias, narrow or add candidates.
public struct ModelSettings: Sendable, Codable, Equatable {
    public var price: PriceRule?
    /// When true, the model's price is explicitly unknown (reported as null).
    public var priceUnknown: Bool?
    public var aliases: [String]?
    /// Extra candidates (plugin + provider model), e.g. a second provider for the same name.
    public var candidates: [CandidateSettings]?
    /// Priority of the plugin-described candidate for this model (higher first).
    public var priority: Int?

    enum CodingKeys: String, CodingKey {
        case price, aliases, candidates, priority
        case priceUnknown = "price_unknown"
    }
}

public struct CandidateSettings: Sendable, Codable, Equatable {
    public var plugin: String
    public var providerModel: String
    public var price: PriceRule?
    public var priority: Int?
    enum CodingKeys: String, CodingKey {
        case plugin, price, priority
        case providerModel = "provider_model"
    }
}

public struct GenerationDefaults: Sendable, Codable, Equatable {
    public var model = "preview"
    public var category = "product"
    public var width = 512
    public var height = 512
    public var steps = 30
    public var guidanceScale = 7.5
    /// Prompts longer than this are refused before anything is spent.
    public var maxPromptLength = 2000

    public init() {}
    enum CodingKeys: String, CodingKey {
        case model, category, width, height, steps
        case guidanceScale = "guidance_scale", maxPromptLength = "max_prompt_length"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? model
        category = try c.decodeIfPresent(String.self, forKey: .category) ?? category
        width = try c.decodeIfPresent(Int.self, forKey: .width) ?? width
        height = try c.decodeIfPresent(Int.self, forKey: .height) ?? height
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? steps
        guidanceScale = try c.decodeIfPresent(Double.self, forKey: .guidanceScale) ?? guidanceScale
        maxPromptLength = try c.decodeIfPresent(Int.self, forKey: .maxPromptLength) ?? maxPromptLength
    }
}

public struct CategorySettings: Sendable, Codable, Equatable {
    /// Adult (non-explicit) content: routed only to models that allow it, and only with an
    /// attestation on file.
    public var adult: Bool
    public init(adult: Bool) { self.adult = adult }
}

public struct Attestation: Sendable, Codable, Equatable {
    public var attestedBy: String
    public var attestedAt: String
    enum CodingKeys: String, CodingKey {
        case attestedBy = "attested_by", attestedAt = "attested_at"
    }
}

public struct JobSettings: Sendable, Codable, Equatable {
    /// Jobs run at once by one host.
    public var concurrency = 16
    /// Seconds a job may take, submit to stored file, unless the request says otherwise.
    public var deadlineSeconds = 600.0
    /// Poll interval when the plugin gives no hint.
    public var pollIntervalMs = 1000
    /// Attempts on retryable submit failures (rate limits, 5xx) before failing over.
    public var submitAttempts = 3

    public init() {}
    enum CodingKeys: String, CodingKey {
        case concurrency
        case deadlineSeconds = "deadline_seconds", pollIntervalMs = "poll_interval_ms"
        case submitAttempts = "submit_attempts"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? concurrency
        deadlineSeconds = try c.decodeIfPresent(Double.self, forKey: .deadlineSeconds) ?? deadlineSeconds
        pollIntervalMs = try c.decodeIfPresent(Int.self, forKey: .pollIntervalMs) ?? pollIntervalMs
        submitAttempts = try c.decodeIfPresent(Int.self, forKey: .submitAttempts) ?? submitAttempts
    }
}

/// Circuit-breaker settings per candidate (plugin + provider model).
public struct HealthSettings: Sendable, Codable, Equatable {
    /// Consecutive failures that open the circuit (the product asks for 3).
    public var failureThreshold = 3
    /// First cool-down; doubles on each failed probe up to `maxCooldownSeconds`.
    public var cooldownSeconds = 30.0
    public var maxCooldownSeconds = 600.0

    public init() {}
    enum CodingKeys: String, CodingKey {
        case failureThreshold = "failure_threshold", cooldownSeconds = "cooldown_seconds"
        case maxCooldownSeconds = "max_cooldown_seconds"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        failureThreshold = try c.decodeIfPresent(Int.self, forKey: .failureThreshold) ?? failureThreshold
        cooldownSeconds = try c.decodeIfPresent(Double.self, forKey: .cooldownSeconds) ?? cooldownSeconds
        maxCooldownSeconds = try c.decodeIfPresent(Double.self, forKey: .maxCooldownSeconds) ?? maxCooldownSeconds
    }
}

/// The host configuration under an unambiguous name (inside types that have their own
/// `Configuration`, and where Foundation's `Host` class shadows the module name).
public typealias HostConfiguration = Configuration
