import Foundation
import Synchronization
import ImagegenConfig

/// Circuit breakers, one per candidate (plugin + provider model). Consecutive failures open
/// the circuit; the cool-down doubles on each failed probe; after it, one half-open probe is
/// admitted and closes the circuit on success. A content-filtered result is not a failure.
public final class HealthBoard: Sendable {
    public enum State: Sendable, Equatable {
        case closed
        case open(until: Date)
        case halfOpen
    }

    struct Circuit {
        var consecutiveFailures = 0
        var openUntil: Date?
        var cooldown: Double
        var probing = false
        var lastError: String?
        var generation: Int?
    }

    let settings: HealthSettings
    private let circuits = Mutex<[String: Circuit]>([:])
    /// Called when a circuit opens (for alerts and logs).
    private let onOpen: @Sendable (String, Int, String?) -> Void

    public init(settings: HealthSettings, onOpen: @escaping @Sendable (String, Int, String?) -> Void = { _, _, _ in }) {
        self.settings = settings
        self.onOpen = onOpen
    }

    public func state(_ key: String, now: Date) -> State {
        circuits.withLock { c in
            guard let circuit = c[key], let until = circuit.openUntil else { return .closed }
            return now < until ? .open(until: until) : .halfOpen
        }
    }

    /// May a call go to this candidate now? In half-open, only one probe at a time.
    public func admit(_ key: String, now: Date) -> Bool {
        circuits.withLock { c in
            guard var circuit = c[key], let until = circuit.openUntil else { return true }
            if now < until || circuit.probing { return false }
            circuit.probing = true
            c[key] = circuit
            return true
        }
    }

    public func recordSuccess(_ key: String) {
        circuits.withLock { c in
            guard var circuit = c[key] else { return }
            circuit.consecutiveFailures = 0
            circuit.openUntil = nil
            circuit.probing = false
            circuit.cooldown = settings.cooldownSeconds
            c[key] = circuit
        }
    }

    /// Counts a failure; opens (or re-opens, with a longer cool-down) the circuit.
    public func recordFailure(_ key: String, now: Date, message: String?) {
        let opened: (Int, String?)? = circuits.withLock { c in
            var circuit = c[key] ?? Circuit(cooldown: settings.cooldownSeconds)
            circuit.consecutiveFailures += 1
            circuit.lastError = message
            var opened: (Int, String?)?
            if circuit.probing {
                // A failed probe: stay open, wait longer.
                circuit.probing = false
                circuit.cooldown = min(circuit.cooldown * 2, settings.maxCooldownSeconds)
                circuit.openUntil = now.addingTimeInterval(circuit.cooldown)
            } else if circuit.openUntil == nil && circuit.consecutiveFailures >= settings.failureThreshold {
                circuit.openUntil = now.addingTimeInterval(circuit.cooldown)
                opened = (circuit.consecutiveFailures, message)
            }
            c[key] = circuit
            return opened
        }
        if let opened { onOpen(key, opened.0, opened.1) }
    }

    /// A new generation of a plugin starts with closed circuits: the hot-swap path.
    public func reset(plugin: String) {
        circuits.withLock { c in
            for key in c.keys where key.hasPrefix(plugin + "/") { c[key] = nil }
        }
    }

    public struct Record: Sendable, Codable, Equatable {
        public var candidate: String
        public var state: String
        public var consecutiveFailures: Int
        public var openUntil: Date?
        public var lastError: String?
        enum CodingKeys: String, CodingKey {
            case candidate, state
            case consecutiveFailures = "consecutive_failures", openUntil = "open_until", lastError = "last_error"
        }
    }

    public func records(now: Date) -> [Record] {
        circuits.withLock { c in
            c.keys.sorted().map { key in
                let circuit = c[key]!
                let state: String
                if let until = circuit.openUntil { state = now < until ? "open" : "half_open" } else { state = "closed" }
                return Record(candidate: key, state: state, consecutiveFailures: circuit.consecutiveFailures,
                              openUntil: circuit.openUntil, lastError: circuit.lastError)
            }
        }
    }
}
