import Foundation
import ImagegenJSON
import ImagegenConfig

/// The `alerts` section of the config: where alerts go, the rules' thresholds and their timing.
///
/// ```json5
/// alerts: {
///   evaluate_every_seconds: 30,
///   file: "alerts.log",                 // under the data folder unless absolute; false turns it off
///   webhook: { url: "https://ops.example/hooks/imagegen", secret_env: "IMAGEGEN_WEBHOOK_SECRET" },
///   provider_failures: { threshold: 3 },
///   budget: { warn_ratio: 0.8 },
///   provider_slow: { window: 20, factor: 2, min_samples: 5, baseline_days: 7, baseline_min_jobs: 50,
///                    baselines: { replicate: 12.5 } },
///   provider_quota: { balance_thresholds: { stability: 100 }, rate_limited_ratio: 0.2, window_minutes: 15,
///                     min_attempts: 10, account_limit_ratio: 0.9,
///                     account_limits: { replicate: { images: 1000, period: "month" } } },
///   template_content_filter: { window: 10, min_filtered: 3 },
///   upload_backlog: { max_pending: 100, max_age_minutes: 15 },
///   timing: { ProviderSlow: { pending_for_seconds: 120, keep_firing_for_seconds: 300 } },
/// }
/// ```
/// The webhook secret is read from the environment variable named by `secret_env`; a secret
/// written into the config file is refused.
public struct AlertSettings: Sendable, Equatable {
    public struct Webhook: Sendable, Equatable {
        public var url: URL
        /// The environment variable holding the HMAC secret; nil sends unsigned requests.
        public var secretEnvironmentName: String?
        public var maxAttempts: Int
    }

    /// An account limit counted from the catalog: succeeded images of a provider in the current day or month.
    public struct AccountLimit: Sendable, Equatable {
        public var images: Double
        public var period: Period
        public enum Period: String, Sendable, Equatable { case day, month }
    }

    public var evaluateEvery: TimeInterval = 30
    /// Nil: no file sink. Relative paths are under the data folder.
    public var file: String? = "alerts.log"
    public var webhook: Webhook?
    public var failureThreshold = 3
    public var budgetWarnRatio = 0.8
    public var slowWindow = 20
    public var slowFactor = 2.0
    public var slowMinSamples = 5
    public var baselineDays = 7.0
    /// Succeeded jobs (older than the compared window) a computed baseline needs: until a provider
    /// has this many, it has no baseline and the slow rule stays quiet (a fresh host's first
    /// minutes are not "usual"). A configured baseline needs none.
    public var baselineMinJobs = 50
    /// Configured usual p50 per provider (seconds); replaces the computed baseline.
    public var baselines: [String: Double] = [:]
    public var balanceThresholds: [String: Double] = [:]
    public var rateLimitedRatio = 0.2
    public var quotaWindowMinutes = 15.0
    public var quotaMinAttempts = 10
    public var accountLimitRatio = 0.9
    public var accountLimits: [String: AccountLimit] = [:]
    public var contentFilterWindow = 10
    public var contentFilterMinimum = 3
    public var uploadMaxPending = 100
    public var uploadMaxAgeMinutes = 15.0
    /// Anti-flap timing by rule name (`ProviderSlow`, `BudgetExceeded`…).
    public var timing: [String: AlertTiming] = [:]

    public init() {}

    /// The rules with these thresholds.
    public var rules: [any AlertRule] {
        [ProviderFailureStreakRule(threshold: failureThreshold),
         BudgetThresholdRule(warnRatio: budgetWarnRatio),
         ProviderSlowRule(window: slowWindow, factor: slowFactor, minSamples: slowMinSamples),
         ProviderQuotaRule(balanceThresholds: balanceThresholds, maxRateLimitedRatio: rateLimitedRatio,
                           rateWindow: quotaWindowMinutes * 60, minAttempts: quotaMinAttempts,
                           accountLimitRatio: accountLimitRatio),
         SlotMissedRule(),
         TemplateContentFilterRule(window: contentFilterWindow, minFiltered: contentFilterMinimum),
         UploadBacklogRule(maxPending: uploadMaxPending, maxAge: uploadMaxAgeMinutes * 60)]
    }

    /// Reads `configuration.sections["alerts"]` (absent: the defaults above).
    public init(configuration: Configuration) throws(AlertSettingsError) {
        self.init()
        guard let section = configuration.sections["alerts"] else { return }
        guard let root = section.object else { throw .invalid(key: "alerts", detail: "must be an object") }
        let reader = AlertSettingsReader(root: root, path: "alerts")
        try reader.only(["evaluate_every_seconds", "file", "webhook", "provider_failures", "budget", "provider_slow",
                         "provider_quota", "template_content_filter", "upload_backlog", "timing"])
        evaluateEvery = try reader.number("evaluate_every_seconds", range: 1...3600) ?? evaluateEvery
        if let file = root["file"] {
            if file.bool == false { self.file = nil } else if let path = file.string, !path.isEmpty { self.file = path } else {
                throw .invalid(key: "alerts.file", detail: "must be a path or false")
            }
        }
        if let hook = try reader.object("webhook") {
            try hook.only(["url", "secret_env", "max_attempts"], secrets: true)
            guard let text = try hook.string("url"), let url = URL(string: text),
                  ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw .invalid(key: "alerts.webhook.url", detail: "must be an http(s) URL")
            }
            let env = try hook.string("secret_env")
            if let env, env.isEmpty || env.contains("=") {
                throw .invalid(key: "alerts.webhook.secret_env", detail: "must name an environment variable")
            }
            webhook = Webhook(url: url, secretEnvironmentName: env,
                              maxAttempts: Int(try hook.number("max_attempts", range: 1...20) ?? 5))
        }
        if let r = try reader.object("provider_failures") {
            try r.only(["threshold"])
            failureThreshold = Int(try r.number("threshold", range: 1...1000) ?? 3)
        }
        if let r = try reader.object("budget") {
            try r.only(["warn_ratio"])
            budgetWarnRatio = try r.number("warn_ratio", range: 0.01...1) ?? budgetWarnRatio
        }
        if let r = try reader.object("provider_slow") {
            try r.only(["window", "factor", "min_samples", "baseline_days", "baseline_min_jobs", "baselines"])
            slowWindow = Int(try r.number("window", range: 1...10_000) ?? Double(slowWindow))
            slowFactor = try r.number("factor", range: 1...1000) ?? slowFactor
            slowMinSamples = Int(try r.number("min_samples", range: 1...10_000) ?? Double(slowMinSamples))
            baselineDays = try r.number("baseline_days", range: 0.01...365) ?? baselineDays
            baselineMinJobs = Int(try r.number("baseline_min_jobs", range: 1...1_000_000) ?? Double(baselineMinJobs))
            baselines = try r.numbers("baselines", range: 0.000_001...86_400)
        }
        if let r = try reader.object("provider_quota") {
            try r.only(["balance_thresholds", "rate_limited_ratio", "window_minutes", "min_attempts",
                        "account_limit_ratio", "account_limits"])
            balanceThresholds = try r.numbers("balance_thresholds", range: 0...1e12)
            rateLimitedRatio = try r.number("rate_limited_ratio", range: 0.000_1...1) ?? rateLimitedRatio
            quotaWindowMinutes = try r.number("window_minutes", range: 1...10_080) ?? quotaWindowMinutes
            quotaMinAttempts = Int(try r.number("min_attempts", range: 1...100_000) ?? Double(quotaMinAttempts))
            accountLimitRatio = try r.number("account_limit_ratio", range: 0.01...1) ?? accountLimitRatio
            if let limits = try r.object("account_limits") {
                for provider in limits.root.keys.sorted() {
                    guard let limit = try limits.object(provider) else { continue }
                    try limit.only(["images", "period"])
                    guard let images = try limit.number("images", range: 1...1e12) else {
                        throw .invalid(key: limit.path + ".images", detail: "give the number of images the account allows")
                    }
                    let periodText = try limit.string("period") ?? "month"
                    guard let period = AccountLimit.Period(rawValue: periodText) else {
                        throw .invalid(key: limit.path + ".period", detail: "must be \"day\" or \"month\"")
                    }
                    accountLimits[provider] = AccountLimit(images: images, period: period)
                }
            }
        }
        if let r = try reader.object("template_content_filter") {
            try r.only(["window", "min_filtered"])
            contentFilterWindow = Int(try r.number("window", range: 1...10_000) ?? Double(contentFilterWindow))
            contentFilterMinimum = Int(try r.number("min_filtered", range: 1...10_000) ?? Double(contentFilterMinimum))
        }
        if let r = try reader.object("upload_backlog") {
            try r.only(["max_pending", "max_age_minutes"])
            uploadMaxPending = Int(try r.number("max_pending", range: 0...10_000_000) ?? Double(uploadMaxPending))
            uploadMaxAgeMinutes = try r.number("max_age_minutes", range: 0...100_000) ?? uploadMaxAgeMinutes
        }
        if let t = try reader.object("timing") {
            for rule in t.root.keys.sorted() {
                guard let entry = try t.object(rule) else { continue }
                try entry.only(["pending_for_seconds", "keep_firing_for_seconds"])
                timing[rule] = AlertTiming(pendingFor: try entry.number("pending_for_seconds", range: 0...86_400) ?? 0,
                                           keepFiringFor: try entry.number("keep_firing_for_seconds", range: 0...86_400) ?? 0)
            }
        }
    }
}

/// Why the `alerts` section was refused; the message names the key.
public enum AlertSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(key: String, detail: String)
    case secretInConfig(key: String)

    public var description: String {
        switch self {
        case let .invalid(key, detail):
            return "config \(key): \(detail)"
        case let .secretInConfig(key):
            return "config \(key) looks like a secret; secrets never go in the config file. Put it in an environment variable and name that variable in alerts.webhook.secret_env"
        }
    }
}

/// Typed reads of one object of the `alerts` section, with the key path in every error.
struct AlertSettingsReader {
    let root: [String: JSONValue]
    let path: String

    func only(_ known: Set<String>, secrets: Bool = false) throws(AlertSettingsError) {
        for key in root.keys.sorted() where !known.contains(key) {
            if secrets, Configuration.looksSecret(key) { throw .secretInConfig(key: "\(path).\(key)") }
            throw .invalid(key: "\(path).\(key)", detail: "unknown key; known: \(known.sorted().joined(separator: ", "))")
        }
    }

    func object(_ key: String) throws(AlertSettingsError) -> AlertSettingsReader? {
        guard let value = root[key] else { return nil }
        guard let object = value.object else { throw .invalid(key: "\(path).\(key)", detail: "must be an object") }
        return AlertSettingsReader(root: object, path: "\(path).\(key)")
    }

    func string(_ key: String) throws(AlertSettingsError) -> String? {
        guard let value = root[key] else { return nil }
        guard let s = value.string else { throw .invalid(key: "\(path).\(key)", detail: "must be a string") }
        return s
    }

    func number(_ key: String, range: ClosedRange<Double>) throws(AlertSettingsError) -> Double? {
        guard let value = root[key] else { return nil }
        guard let n = value.number, range.contains(n) else {
            throw .invalid(key: "\(path).\(key)", detail: "must be a number within \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    func numbers(_ key: String, range: ClosedRange<Double>) throws(AlertSettingsError) -> [String: Double] {
        guard let inner = try object(key) else { return [:] }
        var out: [String: Double] = [:]
        for name in inner.root.keys { out[name] = try inner.number(name, range: range) }
        return out
    }
}
