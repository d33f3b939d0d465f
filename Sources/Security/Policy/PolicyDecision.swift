/// The outcome of a policy check: allowed, or refused by one named rule.
public enum PolicyDecision: Sendable, Equatable, CustomStringConvertible {
    case allowed
    case refused(PolicyRefusal)

    public var isAllowed: Bool { self == .allowed }

    public var refusal: PolicyRefusal? {
        if case .refused(let refusal) = self { return refusal }
        return nil
    }

    public var description: String {
        switch self {
        case .allowed: return "allowed"
        case .refused(let refusal): return refusal.description
        }
    }
}

/// Why a request, template or route was refused. Throwable, so the pipeline can surface it as
/// the job's error.
///
/// `message` describes the kinds of signals, never the prompt's words, so it can go to logs and
/// the audit log; `triggers` holds the matched words for a moderator's review and must not be
/// persisted in plaintext (prompts are encrypted at rest, and triggers are pieces of prompts).
public struct PolicyRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let ruleID: String
    public let ruleName: String
    public let message: String
    /// Compiled-in rules that no configuration can lift.
    public let isHardBlock: Bool
    public let triggers: [String]

    public init(ruleID: String, ruleName: String, message: String, isHardBlock: Bool, triggers: [String] = []) {
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.message = message
        self.isHardBlock = isHardBlock
        self.triggers = triggers
    }

    public var description: String {
        "refused by rule \(ruleID) (\(ruleName)): \(message)"
            + (isHardBlock ? " This rule is compiled in and cannot be lifted by configuration." : "")
    }
}
