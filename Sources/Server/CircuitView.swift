import Foundation
import Pipeline
import PluginHost

/// One candidate's health as `GET /v1/health` and `/metrics` show it: every candidate of
/// every routable model (closed when it has never failed), plus circuits of candidates that
/// are no longer routable (a removed plugin) until they are reset.
package struct CircuitView: Sendable, Codable, Equatable {
    /// The model names this candidate serves (empty when it is no longer routable).
    package var models: [String]
    /// plugin/provider-model: the circuit's key.
    package var candidate: String
    package var plugin: String
    package var providerModel: String
    package var priority: Int?
    /// closed, half_open or open.
    package var state: String
    package var consecutiveFailures: Int
    /// When an open circuit admits its next probe.
    package var retryAt: Date?
    package var lastError: String?
    /// Whether the candidate's plugin is loaded now.
    package var loaded: Bool
    /// Why the router skips it although loaded (a required secret is not set), else nil.
    package var unusable: String? = nil

    enum CodingKeys: String, CodingKey {
        case models, candidate, plugin, priority, state, loaded, unusable
        case providerModel = "provider_model", consecutiveFailures = "consecutive_failures", retryAt = "retry_at"
        case lastError = "last_error"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(models, forKey: .models)
        try c.encode(candidate, forKey: .candidate)
        try c.encode(plugin, forKey: .plugin)
        try c.encode(providerModel, forKey: .providerModel)
        try c.encode(priority, forKey: .priority)
        try c.encode(state, forKey: .state)
        try c.encode(consecutiveFailures, forKey: .consecutiveFailures)
        try c.encode(retryAt, forKey: .retryAt)
        try c.encode(lastError, forKey: .lastError)
        try c.encode(loaded, forKey: .loaded)
        try c.encode(unusable, forKey: .unusable)
    }

    /// All candidates, sorted by key.
    static func all(models: ModelTable, health: HealthBoard, loaded: Set<String>, now: Date,
                    missingSecrets: [String: String] = [:]) -> [CircuitView] {
        let records = Dictionary(health.records(now: now).map { ($0.candidate, $0) }, uniquingKeysWith: { a, _ in a })
        var views: [String: CircuitView] = [:]
        for entry in models.sortedEntries {
            for c in entry.candidates {
                if var existing = views[c.key] {
                    existing.models.append(entry.name)
                    views[c.key] = existing
                    continue
                }
                let r = records[c.key]
                views[c.key] = CircuitView(models: [entry.name], candidate: c.key, plugin: c.plugin, providerModel: c.providerModel,
                                           priority: c.priority, state: r?.state ?? "closed",
                                           consecutiveFailures: r?.consecutiveFailures ?? 0,
                                           retryAt: r?.state == "closed" ? nil : r?.openUntil, lastError: r?.lastError,
                                           loaded: loaded.contains(c.plugin),
                                           unusable: missingSecrets[c.plugin].map { Router.Verdict.missingSecret($0).description })
            }
        }
        for (key, r) in records where views[key] == nil {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            views[key] = CircuitView(models: [], candidate: key, plugin: parts.first ?? key, providerModel: parts.count > 1 ? parts[1] : "",
                                     priority: nil, state: r.state, consecutiveFailures: r.consecutiveFailures,
                                     retryAt: r.state == "closed" ? nil : r.openUntil, lastError: r.lastError,
                                     loaded: loaded.contains(parts.first ?? key))
        }
        return views.values.sorted { $0.candidate < $1.candidate }
    }
}
