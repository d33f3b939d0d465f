import Foundation

/// Small named facts the security module remembers between runs: the budgets last seen, template
/// screening verdicts, refusals already audited. Kept in the catalog so every process sharing a
/// data folder agrees on them.
public protocol SecurityStateStore: Sendable {
    /// The value remembered under `name`, or nil. One read.
    func securityState(_ name: String) throws -> String?
    /// Remembers `value` under `name`, replacing what was there. One committed transaction.
    func setSecurityState(_ name: String, to value: String, now: Date) throws
    /// Records `marker` as audited unless it already is: true when this call recorded it, so an
    /// event is audited once however many processes or restarts see it. One committed transaction.
    func markAudited(_ marker: String) throws -> Bool
}
