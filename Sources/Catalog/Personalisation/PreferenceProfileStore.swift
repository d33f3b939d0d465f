import Foundation
import Templates

/// Where learned preference profiles are kept. Config declares a profile; ratings move its
/// weights, and the learned version stored here wins over the declared one from then on.
package protocol PreferenceProfileStore: Sendable {
    /// The learned profile `name`, nil when none was stored (or it no longer decodes, so the
    /// declared one is used again). One read.
    func storedProfile(_ name: String) throws -> PreferenceProfile?
    /// Stores `profile` under its name, replacing the earlier one. One committed transaction.
    func storeProfile(_ profile: PreferenceProfile, now: Date) throws
}
