import Foundation

/// Persistence for alerts: the catalog implements it on an `alerts` table keyed by
/// (`id`, `started_at`) with a partial unique index on `id WHERE ended_at IS NULL`;
/// `InMemoryAlertStore` implements it for tests. Each call is atomic and durable when it returns.
///
/// Because firing alerts live here, a restarted host knows what it already reported and does not
/// page again for a condition that is still the same one.
public protocol AlertStore: Sendable {
    /// The alerts currently firing (no end).
    func activeAlerts() throws -> [Alert]
    /// Records a new firing instance unless an active one with the same id exists. Returns true when inserted.
    func insertIfNotActive(_ alert: Alert) throws -> Bool
    /// Ends the active instance of `id` that started at `startedAt`.
    func resolve(id: String, startedAt: Date, endedAt: Date) throws
    /// Alerts that started at or after `since` (all when nil), newest first, at most `limit`;
    /// only active ones when `activeOnly` (`imagegen alerts [--active]`).
    func alerts(since: Date?, activeOnly: Bool, limit: Int) throws -> [Alert]
}
