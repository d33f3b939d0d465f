import Foundation
import PluginHost
import Security

/// Chooses the candidate for a job: the model's candidates in order, skipping those that
/// cannot take it (adult content where the provider forbids it, size limits) and those whose
/// circuit is open. Each verdict is kept so `imagegen route` can say why.
public struct Router: Sendable {
    public enum Verdict: Sendable, Equatable, CustomStringConvertible {
        case available
        case halfOpenProbe
        case circuitOpen(until: Date)
        case adultContentNotAllowed
        case sizeNotSupported(SizeLimits)
        case tooManyOutputs(Int)
        case notLoaded
        case alreadyTried
        /// The plugin's required secret (an environment variable name, never its value) is not set.
        case missingSecret(String)
        /// The job is a `vary` or `upscale` and this model does not declare the capability.
        case capabilityMissing(String)

        public var description: String {
            switch self {
            case .available: return "available"
            case .halfOpenProbe: return "available (half-open probe after a cool-down)"
            case .circuitOpen(let until): return "circuit open until \(ISO8601DateFormatter().string(from: until))"
            case .adultContentNotAllowed: return "the provider's terms forbid adult content"
            case .sizeNotSupported(let l): return "size outside \(l.minSize)...\(l.maxSize) px"
            case .tooManyOutputs(let m): return "at most \(m) outputs per job"
            case .notLoaded: return "plugin not loaded"
            case .alreadyTried: return "already tried for this job"
            case .missingSecret(let name): return "\(name) is not set: export it or add it to the secrets file"
            case .capabilityMissing(let c): return "the model does not declare \"\(c)\""
            }
        }

        public var isUsable: Bool { self == .available || self == .halfOpenProbe }
    }

    public struct Plan: Sendable {
        public var model: String
        public var candidates: [(ModelTable.Candidate, Verdict)]
        public var chosen: ModelTable.Candidate? { candidates.first { $0.1.isUsable }?.0 }
        /// When every remaining candidate is cooling down: the earliest recovery.
        public var earliestRecovery: Date? {
            candidates.compactMap { if case .circuitOpen(let u) = $0.1 { return u } else { return nil } }.min()
        }
    }

    let health: HealthBoard

    public init(health: HealthBoard) { self.health = health }

    /// - Parameter requires: the capability the job needs beyond text-to-image (`image-to-image`,
    ///   `upscale`), or nil: a plugin that does not declare it would treat the job as a plain
    ///   generation, so it never gets it.
    public func plan(_ entry: ModelTable.Entry, adult: Bool, width: Int, height: Int, outputs: Int,
                     loaded: Set<String>, tried: [String], now: Date, missingSecrets: [String: String] = [:],
                     requires: String? = nil) -> Plan {
        Plan(model: entry.name, candidates: entry.candidates.map { c in
            let verdict: Verdict
            if !loaded.contains(c.plugin) { verdict = .notLoaded }
            else if let requires, !c.capabilities.contains(requires) { verdict = .capabilityMissing(requires) }
            else if let secret = missingSecrets[c.plugin] { verdict = .missingSecret(secret) }
            else if !ContentPolicy.modelMayServe(isAdultCategory: adult, modelAllowsNSFW: c.nsfwAllowed) { verdict = .adultContentNotAllowed }
            else if width < c.limits.minSize || height < c.limits.minSize || width > c.limits.maxSize || height > c.limits.maxSize {
                verdict = .sizeNotSupported(c.limits)
            } else if outputs > c.limits.maxOutputs { verdict = .tooManyOutputs(c.limits.maxOutputs) }
            else if tried.contains(c.key) { verdict = .alreadyTried }
            else {
                switch health.state(c.key, now: now) {
                case .closed: verdict = .available
                case .halfOpen: verdict = .halfOpenProbe
                case .open(let until): verdict = .circuitOpen(until: until)
                }
            }
            return (c, verdict)
        })
    }
}
