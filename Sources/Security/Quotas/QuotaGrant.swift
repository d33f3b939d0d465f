import Catalog
/// What `QuotaEnforcer.admit` counted for one request, to be settled when the actual number of
/// images is known (a failed or partly filtered generation gives unused images back).
public struct QuotaGrant: Sendable, Equatable {
    public let scopes: [QuotaScope]
    public let images: Int
    /// The day the images were counted on; settling after midnight changes nothing.
    public let day: String
    public init(scopes: [QuotaScope], images: Int, day: String) {
        self.scopes = scopes
        self.images = images
        self.day = day
    }
}
