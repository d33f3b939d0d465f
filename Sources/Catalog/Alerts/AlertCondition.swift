/// What a rule reports on one evaluation: a condition that holds now for one subject.
public struct AlertCondition: Sendable, Hashable {
    /// The rule name, CamelCase by alerting convention (e.g. "ProviderFailing").
    public var rule: String
    /// What the condition is about (a provider, a budget, a slot id, a template…).
    public var subject: String
    public var severity: AlertSeverity
    /// Human-readable, with the numbers that triggered it.
    public var message: String

    public init(rule: String, subject: String, severity: AlertSeverity, message: String) {
        self.rule = rule
        self.subject = subject
        self.severity = severity
        self.message = message
    }

    /// The stable identity of the condition, `<rule>/<subject>`: one alert per id until it clears.
    public var id: String { "\(rule)/\(subject)" }
}
