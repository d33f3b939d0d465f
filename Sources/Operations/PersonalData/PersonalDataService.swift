import Foundation
import Catalog
import ImagegenCore
import Security

/// One person's data as `imagegen users export NAME` and `GET /v1/users/{name}/export` give it:
/// the catalog's records and every audit entry that names them.
package struct PersonalDataExport: Encodable, Sendable {
    package var user: String
    package var exportedAt: Date
    package var catalog: StoredPersonalData
    package var auditEntries: [AuditEntry]

    enum CodingKeys: String, CodingKey {
        case user, catalog
        case exportedAt = "exported_at", auditEntries = "audit_entries"
    }
}

/// What an erasure did: the pseudonym that replaced the name (the mapping is kept nowhere) and
/// how many audit entries were rewritten.
package struct PersonalDataErasure: Encodable, Sendable {
    package var pseudonym: String
    package var auditEntriesChanged: Int
    package var auditEntriesResigned: Int
    enum CodingKeys: String, CodingKey {
        case pseudonym
        case auditEntriesChanged = "audit_entries_changed", auditEntriesResigned = "audit_entries_resigned"
    }
}

/// Export and erasure of a user's personal data (issue 17 item 9), for admins. Erasure
/// pseudonymises rather than deletes what records an action (reviews, takedowns, audit entries),
/// so the audit chain still verifies and the facts stay; the name, password hash, sessions and
/// addresses go.
package struct PersonalDataService: Sendable {
    let catalog: any PersonalDataStore
    let audit: AuditTrail

    package init(catalog: any PersonalDataStore, audit: AuditTrail) {
        self.catalog = catalog
        self.audit = audit
    }

    package func export(user name: String, now: Date) throws -> PersonalDataExport {
        let stored = try catalog.personalData(ofUser: name)
        let entries = try audit.entries(naming: name)
        audit.record(.userExport, subject: name, details: ["audit_entries": String(entries.count)])
        return PersonalDataExport(user: name, exportedAt: now, catalog: stored, auditEntries: entries)
    }

    /// The audit log is rewritten first (the account is checked before: an unknown user or the
    /// last admin is refused with nothing changed), then the catalog: if the catalog step fails,
    /// running the erasure again finishes it.
    package func erase(user name: String, now: Date) throws -> PersonalDataErasure {
        try catalog.checkErasable(user: name)
        let pseudonym = "erased-" + (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let rewrite = try audit.pseudonymise(user: name, as: pseudonym)
        try catalog.erasePersonalData(ofUser: name, pseudonym: pseudonym, now: now)
        return PersonalDataErasure(pseudonym: pseudonym, auditEntriesChanged: rewrite.entriesChanged,
                                   auditEntriesResigned: rewrite.entriesResigned)
    }
}
