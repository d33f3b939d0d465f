import Foundation
import ImagegenJSON

/// The host side of `imagegen.reconcile/1`: asks a plugin whether its provider already has the
/// job for a host job id (after a crash left the submit's outcome unknown).
extension PluginInstance {
    /// What the provider knows about a job the host may or may not have sent.
    package enum Reconciliation: Sendable {
        /// The provider has it: a submit result with "ref", to commit and poll.
        case found(JSONValue)
        /// The provider has no such job and will not get one from the interrupted attempt.
        case absent
    }

    /// Whether the plugin can reconcile at all. Asked inside the drain accounting (a retiring
    /// copy's `shutdown` waits for it); a retired generation throws `generationRetired`, so the
    /// caller asks the current one.
    package func offersReconcile() throws(PluginCallError) -> Bool {
        let g = generation
        return try generation.pinned { () throws(PluginCallError) in g.transport.offers(.reconcile) }
    }

    /// Asks the provider about `request` (the request submit would get). nil when the plugin
    /// does not offer the extension; throws when the provider could not be asked.
    package func reconcile(_ request: JSONValue) throws(PluginCallError) -> Reconciliation? {
        guard try offersReconcile() else { return nil }
        do throws(PluginCallError) {
            return .found(try jsonCall(.reconcile, [UInt8](request.encoded())))
        } catch where error.status == .notFound && !error.generationRetired {
            return .absent
        }
    }
}
