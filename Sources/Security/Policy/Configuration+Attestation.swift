import Foundation
import ImagegenConfig

/// One attestation for the whole host, whichever way the operator wrote it: the top-level
/// `attestation: { attested_by, attested_at }` (a date or an ISO 8601 time) or
/// `policy.adult_attestation`. The request validator, the router and the runner all read it
/// from here and judge it with `ContentPolicy.checkRouting`, so there is one rule.
extension Configuration {
    /// The attestation as the policy sees it; nil when none is configured or it cannot be read
    /// (start-up reports an unreadable one as a config error, see `ageVerificationAttestation(file:)`).
    package var effectiveAttestation: AgeVerificationAttestation? {
        // try?: start-up rejects an unreadable attestation as a config error; nil here means "not attested", the refusing side
        try? ageVerificationAttestation(file: "")
    }

    /// Reads the attestation; throws when both forms are given or a date does not parse.
    func ageVerificationAttestation(file: String) throws(ConfigurationError) -> AgeVerificationAttestation? {
        let nested = sections["policy"]?["adult_attestation"]
        switch (attestation, nested) {
        case (.some, .some):
            throw .invalidValue(file: file, key: "attestation",
                                detail: "the attestation is given twice (attestation and policy.adult_attestation); keep one")
        case (.some(let top), nil):
            guard let date = Self.attestationDate(top.attestedAt) else {
                throw .invalidValue(file: file, key: "attestation.attested_at",
                                    detail: "\"\(top.attestedAt)\" is not a date like 2026-02-01 or a time like 2026-02-01T09:00:00Z")
            }
            return AgeVerificationAttestation(attestedBy: top.attestedBy, attestedAt: date)
        case (nil, .some(let value)):
            do {
                return try JSONDecoder().decode(AgeVerificationAttestation.self, from: value.encoded())
            } catch {
                throw .invalidValue(file: file, key: "policy.adult_attestation", detail: Configuration.describe(error))
            }
        case (nil, nil):
            return nil
        }
    }

    static func attestationDate(_ text: String) -> Date? {
        // try?: not a full time; the plain date below is the other accepted form (nil from both is reported by the caller)
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyy-MM-dd"
        return day.date(from: text)
    }
}
