import Foundation

/// One sign-in session as kept (its token hash is left out: it is a credential, not data about the person).
public struct SessionRecord: Sendable, Codable, Equatable {
    public var createdAt: Date
    public var expiresAt: Date
    public var address: String
    enum CodingKeys: String, CodingKey { case address, createdAt = "created_at", expiresAt = "expires_at" }
    public init(createdAt: Date, expiresAt: Date, address: String) {
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.address = address
    }
}

/// What the catalog holds about one person (issue 17 item 9): the account, their sessions and
/// the decisions recorded under their name.
public struct StoredPersonalData: Sendable, Codable, Equatable {
    public var account: UserAccount
    public var sessions: [SessionRecord]
    /// Review decisions they made.
    public var reviews: [ImageReview]
    /// Takedown requests they filed (ids).
    public var takedownRequests: [String]
    /// Users they confirmed as adults.
    public var adultVerificationsGiven: [String]

    enum CodingKeys: String, CodingKey {
        case account, sessions, reviews
        case takedownRequests = "takedown_requests", adultVerificationsGiven = "adult_verifications_given"
    }

    public init(account: UserAccount, sessions: [SessionRecord], reviews: [ImageReview], takedownRequests: [String],
                adultVerificationsGiven: [String]) {
        self.account = account
        self.sessions = sessions
        self.reviews = reviews
        self.takedownRequests = takedownRequests
        self.adultVerificationsGiven = adultVerificationsGiven
    }
}

/// Export and erasure of one person's data in the catalog. Erasure keeps every record that
/// proves something happened (reviews, takedowns, the account row) under a pseudonym, and drops
/// what only identifies or authenticates the person (name, password hash, sessions and their
/// addresses, adult verification). Throws `UserError`.
public protocol PersonalDataStore: Sendable {
    func personalData(ofUser name: String) throws -> StoredPersonalData
    /// Throws what `erasePersonalData` would refuse (`UserError.unknown`, `.lastAdmin`), changing nothing.
    func checkErasable(user name: String) throws
    /// One transaction; refuses the last enabled admin (`UserError.lastAdmin`).
    func erasePersonalData(ofUser name: String, pseudonym: String, now: Date) throws
}
