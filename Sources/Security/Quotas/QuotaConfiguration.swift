import Catalog
/// The quota section of the host's config:
///
/// ```json
/// "quotas": {
///   "providers":  { "replicate": { "images_per_day": 500, "requests_per_minute": 30 } },
///   "api_tokens": { "analytics": { "images_per_day": 100 } }
/// }
/// ```
/// A missing number means no limit of that kind.
public struct QuotaConfiguration: Codable, Sendable, Equatable {
    public struct Limits: Codable, Sendable, Equatable {
        public var imagesPerDay: Int?
        public var requestsPerMinute: Int?

        public init(imagesPerDay: Int? = nil, requestsPerMinute: Int? = nil) {
            self.imagesPerDay = imagesPerDay
            self.requestsPerMinute = requestsPerMinute
        }

        enum CodingKeys: String, CodingKey {
            case imagesPerDay = "images_per_day"
            case requestsPerMinute = "requests_per_minute"
        }
    }

    public var providers: [String: Limits]
    public var apiTokens: [String: Limits]

    public init(providers: [String: Limits] = [:], apiTokens: [String: Limits] = [:]) {
        self.providers = providers
        self.apiTokens = apiTokens
    }

    enum CodingKeys: String, CodingKey {
        case providers
        case apiTokens = "api_tokens"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        providers = try container.decodeIfPresent([String: Limits].self, forKey: .providers) ?? [:]
        apiTokens = try container.decodeIfPresent([String: Limits].self, forKey: .apiTokens) ?? [:]
        for (scope, limits) in providers.map({ (QuotaScope.provider($0.key), $0.value) })
            + apiTokens.map({ (QuotaScope.apiToken($0.key), $0.value) }) {
            for (kind, value) in [("images_per_day", limits.imagesPerDay), ("requests_per_minute", limits.requestsPerMinute)] {
                if let value, value < 0 {
                    throw DecodingError.dataCorruptedError(
                        forKey: .providers, in: container,
                        debugDescription: "quota \(kind) of \(scope) is \(value); use a number ≥ 0 or leave it out for no limit")
                }
            }
        }
    }

    /// The limits that apply to one scope.
    func limits(for scope: QuotaScope) -> [QuotaLimit] {
        let configured: Limits?
        switch scope {
        case .provider(let name): configured = providers[name]
        case .apiToken(let name): configured = apiTokens[name]
        }
        guard let configured else { return [] }
        var out: [QuotaLimit] = []
        if let value = configured.requestsPerMinute { out.append(QuotaLimit(scope: scope, kind: .requestsPerMinute, value: value)) }
        if let value = configured.imagesPerDay { out.append(QuotaLimit(scope: scope, kind: .imagesPerDay, value: value)) }
        return out
    }
}
