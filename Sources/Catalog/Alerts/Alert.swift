import Foundation

/// One alert instance: from the evaluation where its condition started firing to the one where it cleared.
///
/// `id` (`<rule>/<subject>`) is shared by successive instances of the same condition; an instance
/// is identified by (`id`, `startedAt`). At most one instance per id is active at a time.
public struct Alert: Sendable, Hashable, Codable {
    public var id: String
    public var rule: String
    public var subject: String
    public var severity: AlertSeverity
    public var startedAt: Date
    /// Nil while the alert fires.
    public var endedAt: Date?
    /// The message when it started firing.
    public var message: String

    public init(id: String, rule: String, subject: String, severity: AlertSeverity, startedAt: Date,
                endedAt: Date? = nil, message: String) {
        self.id = id
        self.rule = rule
        self.subject = subject
        self.severity = severity
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.message = message
    }

    public init(_ condition: AlertCondition, startedAt: Date) {
        self.init(id: condition.id, rule: condition.rule, subject: condition.subject, severity: condition.severity,
                  startedAt: startedAt, message: condition.message)
    }

    public var isActive: Bool { endedAt == nil }
}
