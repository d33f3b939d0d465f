import Foundation

/// The operator's statement that adult content is only served to age-verified users, required
/// before any adult category is routed: `{"attested_by": "Jane Doe, DPO", "attested_at":
/// "2026-02-01T09:00:00Z"}` in the policy config.
public struct AgeVerificationAttestation: Codable, Sendable, Equatable {
    public var attestedBy: String
    public var attestedAt: Date

    public init(attestedBy: String, attestedAt: Date) {
        self.attestedBy = attestedBy
        self.attestedAt = attestedAt
    }

    enum CodingKeys: String, CodingKey {
        case attestedBy = "attested_by"
        case attestedAt = "attested_at"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        attestedBy = try container.decode(String.self, forKey: .attestedBy)
        let text = try container.decode(String.self, forKey: .attestedAt)
        // try?: replaced by the DecodingError below, which names the key and the expected form
        guard let date = try? Date(text, strategy: .iso8601) else {
            throw DecodingError.dataCorruptedError(forKey: .attestedAt, in: container,
                                                   debugDescription: "attested_at '\(text)' is not an ISO 8601 time like 2026-02-01T09:00:00Z")
        }
        attestedAt = date
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(attestedBy, forKey: .attestedBy)
        try container.encode(attestedAt.formatted(Date.ISO8601FormatStyle()), forKey: .attestedAt)
    }

    /// Why this attestation cannot be relied on, or nil when it is usable.
    func problem(now: Date) -> String? {
        if attestedBy.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return "attested_by is empty"
        }
        if attestedAt > now.addingTimeInterval(300) {
            return "attested_at is in the future"
        }
        return nil
    }
}
