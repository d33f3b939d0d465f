import Foundation
import Catalog
import ImagegenCore
import Synchronization

/// Asked before each round of the work only one host may do (the plan's scheduler, alert
/// evaluation, backups, upload lease sweeps, retention): says yes while this host holds the
/// catalog's singleton lock, and logs when it takes over or loses it, so the log tells which host ran what.
public final class SingletonGate: Sendable {
    let lock: any SingletonLock
    let log: Log?
    private let holding = Mutex(false)

    public init(lock: any SingletonLock = SoleHostLock(), log: Log? = nil) {
        self.lock = lock
        self.log = log
    }

    /// Whether this host runs the singletons now (takes them over when their host is gone).
    public func mayRun() -> Bool {
        let now = lock.holds()
        let before = holding.withLock { state in
            defer { state = now }
            return state
        }
        if now && !before {
            log?.info("this host runs the singletons (plan scheduler, alert evaluation, backups, upload sweeps, retention)", source: "hosts")
        } else if !now && before {
            log?.warning("this host no longer holds the singleton lock; another host runs the scheduler, alerts, backups"
                         + ", upload sweeps and retention", source: "hosts")
        }
        return now
    }

    /// The last answer, without asking the catalog (for `GET /v1/hosts`).
    public var isHolder: Bool { holding.withLock { $0 } }
}
