/// Where daily image counts survive a restart (the catalog implements this); without one the
/// counts start at zero when the host starts. Per-minute windows are never persisted: a restart
/// takes longer than they matter.
///
/// Both methods throw: a count that silently failed to load or save lets a quota be exceeded
/// after a restart, so the enforcer must hear of it (it logs and retries, see `QuotaEnforcer`).
public protocol QuotaUsageStore: Sendable {
    /// Images counted per scope on `day` (`yyyy-MM-dd` in the enforcer's time zone). Called when
    /// the enforcer first needs that day.
    func dailyImageCounts(day: String) throws -> [QuotaScope: Int]
    /// The new total for a scope on `day`, after every change. Must not block for long: it is
    /// called while the enforcer holds its lock.
    func saveDailyImageCount(_ count: Int, scope: QuotaScope, day: String) throws
}
