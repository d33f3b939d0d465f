import Foundation

/// Releasing an original the output check quarantined (a reviewer found it fine): it becomes
/// `completed`, available and publishable like any stored image. The verdict stays in its record.
public protocol QuarantineStore: Sendable {
    /// `quarantined` → `completed` for the original `imageID`, by compare-and-set: false (and
    /// nothing changed) when it is not a quarantined original now (another release won, or it
    /// was taken down or purged meanwhile).
    func releaseQuarantine(imageID: String) throws -> Bool
}
