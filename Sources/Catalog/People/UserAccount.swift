import Foundation

/// A person who signs in to `imagegen serve` (never the password or its hash: see `UserStore`).
public struct UserAccount: Sendable, Codable, Equatable {
    public var name: String
    public var role: UserRole
    public var disabled: Bool
    /// An admin confirmed this person is an adult: adult categories are shown to them.
    public var adultVerified: Bool
    /// The admin who confirmed it, and when.
    public var adultVerifiedBy: String?
    public var adultVerifiedAt: Date?
    public var createdAt: Date
    public var passwordChangedAt: Date

    enum CodingKeys: String, CodingKey {
        case name, role, disabled
        case adultVerified = "adult_verified", adultVerifiedBy = "adult_verified_by", adultVerifiedAt = "adult_verified_at"
        case createdAt = "created_at", passwordChangedAt = "password_changed_at"
    }

    public init(name: String, role: UserRole, disabled: Bool = false, adultVerified: Bool = false, adultVerifiedBy: String? = nil,
                adultVerifiedAt: Date? = nil, createdAt: Date, passwordChangedAt: Date) {
        self.name = name
        self.role = role
        self.disabled = disabled
        self.adultVerified = adultVerified
        self.adultVerifiedBy = adultVerifiedBy
        self.adultVerifiedAt = adultVerifiedAt
        self.createdAt = createdAt
        self.passwordChangedAt = passwordChangedAt
    }

    /// Letters, digits, `.`, `_`, `-`, 1…64 characters, starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...64).contains(name.count), let first = name.unicodeScalars.first,
              CharacterSet.alphanumerics.contains(first), first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }
}
