import Foundation
import Catalog

/// Turns rule conditions into alert instances without storms, with the store as the truth.
///
/// For each condition id: absent → (pending for `pendingFor`) → **fired** once, recorded with its
/// start; while the condition holds nothing more happens; once it has been absent for
/// `keepFiringFor` → **resolved** once, recorded with its end. Only after that can the same
/// condition fire again, as a new instance. A restarted engine reads the firing alerts from the
/// store and carries on without re-firing them.
///
/// The serve loop calls `evaluate(_:)` periodically (e.g. every 30 s and after each finished job)
/// and hands the transitions to an `AlertDispatcher`.
public actor AlertEngine {
    private let rules: [any AlertRule]
    private let store: any AlertStore
    private let clock: any WallClock
    private let timing: [String: AlertTiming]
    private let defaultTiming: AlertTiming
    /// When each not-yet-firing condition was first seen (memory only: a restart restarts `pendingFor`).
    private var pendingSince: [String: Date] = [:]
    /// When each firing alert's condition was last seen.
    private var lastSeen: [String: Date] = [:]

    /// `timing` is keyed by condition rule name (e.g. "ProviderSlow", "BudgetExceeded").
    public init(rules: [any AlertRule], store: any AlertStore, clock: any WallClock,
                timing: [String: AlertTiming] = [:], defaultTiming: AlertTiming = .immediate) {
        self.rules = rules
        self.store = store
        self.clock = clock
        self.timing = timing
        self.defaultTiming = defaultTiming
    }

    /// The default rule set with default thresholds (the product's: 3 consecutive failures, 80%/100% budgets…).
    public static func defaultRules(balanceThresholds: [String: Double] = [:]) -> [any AlertRule] {
        [ProviderFailureStreakRule(), BudgetThresholdRule(), ProviderSlowRule(),
         ProviderQuotaRule(balanceThresholds: balanceThresholds), SlotMissedRule(), TemplateContentFilterRule(),
         UploadBacklogRule()]
    }

    /// Evaluates every rule against `inputs` at the clock's now and records the changes.
    public func evaluate(_ inputs: AlertInputs) throws(AlertEngineError) -> [AlertTransition] {
        let now = clock.now
        var conditions: [String: AlertCondition] = [:]
        for rule in rules {
            for condition in rule.evaluate(inputs, now: now) where conditions[condition.id] == nil {
                conditions[condition.id] = condition
            }
        }
        let active: [Alert]
        do { active = try store.activeAlerts() } catch { throw .store(String(describing: error)) }
        let activeByID = Dictionary(active.map { ($0.id, $0) }, uniquingKeysWith: { a, b in a.startedAt <= b.startedAt ? a : b })

        var transitions: [AlertTransition] = []
        // Resolve firing alerts whose condition is gone (after keepFiringFor).
        for alert in active.sorted(by: { $0.id < $1.id }) {
            if conditions[alert.id] != nil {
                lastSeen[alert.id] = now
                continue
            }
            let seen = lastSeen[alert.id] ?? now
            if lastSeen[alert.id] == nil { lastSeen[alert.id] = now }
            guard now.timeIntervalSince(seen) >= timing(for: alert.rule).keepFiringFor else { continue }
            do { try store.resolve(id: alert.id, startedAt: alert.startedAt, endedAt: now) } catch {
                throw .store(String(describing: error))
            }
            lastSeen[alert.id] = nil
            var ended = alert
            ended.endedAt = now
            transitions.append(.resolved(ended))
        }
        // Fire new conditions (after pendingFor).
        for (id, condition) in conditions.sorted(by: { $0.key < $1.key }) where activeByID[id] == nil {
            let since = pendingSince[id] ?? now
            pendingSince[id] = since
            guard now.timeIntervalSince(since) >= timing(for: condition.rule).pendingFor else { continue }
            let alert = Alert(condition, startedAt: now)
            let inserted: Bool
            do { inserted = try store.insertIfNotActive(alert) } catch { throw .store(String(describing: error)) }
            pendingSince[id] = nil
            guard inserted else { continue }
            lastSeen[id] = now
            transitions.append(.fired(alert))
        }
        // Forget pending conditions that went away before firing.
        for id in pendingSince.keys where conditions[id] == nil { pendingSince[id] = nil }
        return transitions
    }

    /// The alerts firing now (from the store).
    public func active() throws(AlertEngineError) -> [Alert] {
        do { return try store.activeAlerts() } catch { throw .store(String(describing: error)) }
    }

    private func timing(for rule: String) -> AlertTiming { timing[rule] ?? defaultTiming }
}
