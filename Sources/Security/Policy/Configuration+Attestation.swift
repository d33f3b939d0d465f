import Foundation
import ImagegenConfig

/// One attestation for the whole host, under one name: the top-level
/// `attestation: { attested_by, attested_at }` (a date or an ISO 8601 time), as the README shows.
/// The older `policy.adult_attestation` is refused with a did-you-mean, so no message, doc or
/// config names the attestation two ways. The request validator, the router and the runner all
/// read it from here and judge it with `ContentPolicy.checkRouting`, so there is one rule.
extension Configuration {
    /// The attestation as the policy sees it; nil when none is configured or it cannot be read
    /// (start-up reports an unreadable one as a config error, see `ageVerificationAttestation(file:)`).
    package var effectiveAttestation: AgeVerificationAttestation? {
        // try?: start-up rejects an unreadable attestation as a config error; nil here means "not attested", the refusing side
        try? ageVerificationAttestation(file: "")
    }

    /// Reads the attestation; throws when a date does not parse, or for the old nested key.
    func ageVerificationAttestation(file: String) throws(ConfigurationError) -> AgeVerificationAttestation? {
        if sections["policy"]?["adult_attestation"] != nil {
            throw .invalidValue(file: file, key: "policy.adult_attestation",
                                detail: "unknown key → did you mean attestation? The attestation is a top-level key: move it to "
                                    + "`attestation: { attested_by: \"…\", attested_at: \"2026-02-01\" }` and remove policy.adult_attestation")
        }
        guard let top = attestation else { return nil }
        guard let date = Self.attestationDate(top.attestedAt) else {
            throw .invalidValue(file: file, key: "attestation.attested_at",
                                detail: "\"\(top.attestedAt)\" is not a date like 2026-02-01 or a time like 2026-02-01T09:00:00Z")
        }
        return AgeVerificationAttestation(attestedBy: top.attestedBy, attestedAt: date)
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
