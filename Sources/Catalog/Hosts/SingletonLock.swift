/// Elects the one host that runs the singletons (the plan's scheduler, alert evaluation, backups,
/// upload lease sweeps) when several hosts share one catalog. Asked before each round of that
/// work, so a host that died is replaced at the next round of a live one, and a host that lost
/// its lock stops at its next round.
public protocol SingletonLock: Sendable {
    /// Whether this host runs the singletons now: takes the lock when it is free (its holder
    /// stopped or died) and checks that a lock held still is. An unreachable catalog reads as not
    /// holding it, so two hosts never both believe they do.
    func holds() -> Bool
}

/// A catalog that can elect the singletons' host.
public protocol SingletonLockOpening: Sendable {
    func openSingletonLock() throws -> any SingletonLock
}

/// The lock of a catalog only one host uses (SQLite in a data folder, whose runner lock already
/// keeps a second process out): always held.
public struct SoleHostLock: SingletonLock {
    public init() {}
    public func holds() -> Bool { true }
}
