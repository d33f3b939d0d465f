import Foundation
import Synchronization

/// Failed logins counted per user name and per client address over a sliding window: past the
/// limit, further attempts are refused (429 with `Retry-After`) without checking the password,
/// so guessing costs the attacker time and the host no Argon2 work. Kept in memory: a restart
/// forgets the counts, which only helps someone who can restart the server.
final class LoginThrottle: Sendable {
    struct Limits: Sendable {
        var perUser = 5
        var perAddress = 20
        var window: TimeInterval = 15 * 60
    }

    let limits: Limits
    private let failures = Mutex<[String: [Date]]>([:])

    init(limits: Limits = Limits()) { self.limits = limits }

    /// Seconds until `user` from `address` may try again; nil when it may try now.
    func retryAfter(user: String, address: String, now: Date) -> Int? {
        failures.withLock { table in
            var waits: [TimeInterval] = []
            for (key, limit) in [("u:" + user.lowercased(), limits.perUser), ("a:" + address, limits.perAddress)] {
                let recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < limits.window }
                table[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit, let oldest = recent.first {
                    waits.append(limits.window - now.timeIntervalSince(oldest))
                }
            }
            return waits.max().map { max(1, Int($0.rounded(.up))) }
        }
    }

    func recordFailure(user: String, address: String, now: Date) {
        failures.withLock { table in
            table["u:" + user.lowercased(), default: []].append(now)
            table["a:" + address, default: []].append(now)
            // Bound memory under a spray of names: forget the oldest keys past 10,000.
            if table.count > 10_000 {
                for key in table.filter({ ($0.value.last ?? now) < now.addingTimeInterval(-limits.window) }).map(\.key) { table[key] = nil }
            }
        }
    }

    /// A successful login clears the user's count (not the address's).
    func recordSuccess(user: String) {
        _ = failures.withLock { $0.removeValue(forKey: "u:" + user.lowercased()) }
    }
}
