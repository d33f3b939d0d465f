import Foundation

/// A signed-in browser session as the catalog keeps it: by the hash of its token (the token
/// itself lives only in the browser's cookie), with an absolute expiry.
public struct UserSession: Sendable, Equatable {
    /// SHA-256 of the token, hex.
    public var tokenHash: String
    public var user: String
    public var createdAt: Date
    public var expiresAt: Date
    /// The client address it was created from (for the audit log and `users list`).
    public var address: String

    public init(tokenHash: String, user: String, createdAt: Date, expiresAt: Date, address: String) {
        self.tokenHash = tokenHash
        self.user = user
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.address = address
    }
}
