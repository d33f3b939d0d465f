import Foundation

/// A person's traces in the audit log: their export (`imagegen users export`) and their erasure
/// (`imagegen users erase`), which replaces the name with a pseudonym and keeps the chain
/// verifiable (`AuditLog.pseudonymise`).
extension AuditTrail {
    /// Whether `value` names the user: `NAME`, `user:NAME`, or `/users/NAME` inside an API path.
    package static func names(_ value: String, user name: String) -> Bool {
        replacing(value, user: name, with: "") != nil
    }

    /// `value` with the user's name replaced by `pseudonym`; nil when it does not name them.
    package static func replacing(_ value: String, user name: String, with pseudonym: String) -> String? {
        if value == name { return pseudonym }
        if value == "user:" + name { return "user:" + pseudonym }
        let segment = "/users/" + name
        guard let range = value.range(of: segment) else { return nil }
        // Only a whole path segment: `/users/alice` and `/users/alice/…`, never `/users/alicia`.
        let after = value[range.upperBound...]
        guard after.isEmpty || after.first == "/" || after.first == "?" || after.first == " " else { return nil }
        return value.replacingCharacters(in: range, with: "/users/" + pseudonym)
    }

    /// The entries that name the user (as actor, subject or in a detail), oldest first.
    package func entries(naming name: String) throws -> [AuditEntry] {
        try AuditLogReader(path: path).entries().entries.filter { entry in
            ([entry.principal, entry.subject] + entry.details.values).contains { Self.names($0, user: name) }
        }
    }

    /// Replaces the user's name everywhere in the log with `pseudonym` (see `AuditLog.pseudonymise`),
    /// recorded as a `user.erase` entry by the effective caller. Throws when there is no log to rewrite.
    package func pseudonymise(user name: String, as pseudonym: String) throws -> AuditRewrite {
        guard let log else { throw AuditLogError.cannotOpen(path: path, reason: unavailableReason ?? "no audit log") }
        return try log.pseudonymise({ Self.replacing($0, user: name, with: pseudonym) }, principal: Caller.effective.principal,
                                    pseudonym: pseudonym)
    }
}
