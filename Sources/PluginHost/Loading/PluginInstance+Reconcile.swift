import Foundation
import ImagegenJSON
import PluginAPI

/// The host side of `imagegen.reconcile/1`: asks a plugin whether its provider already has the
/// job for a host job id (after a crash left the submit's outcome unknown).
extension PluginGeneration {
    /// The `imagegen.reconcile/1` extension, if the plugin offers it.
    var reconcileExtension: UnsafePointer<imagegen_reconcile_extension>? {
        guard let get = table.get_extension else { return nil }
        let raw = IMAGEGEN_EXT_RECONCILE.withCString { get(pluginPointer, $0) }
        guard let raw else { return nil }
        let ext = raw.assumingMemoryBound(to: imagegen_reconcile_extension.self)
        guard ext.pointee.header.abi_major == UInt16(IMAGEGEN_ABI_MAJOR),
              Int(ext.pointee.header.struct_size) >= MemoryLayout<imagegen_reconcile_extension>.size,
              ext.pointee.reconcile != nil else { return nil }
        return ext
    }
}

extension PluginInstance {
    /// What the provider knows about a job the host may or may not have sent.
    package enum Reconciliation: Sendable {
        /// The provider has it: a submit result with "ref", to commit and poll.
        case found(JSONValue)
        /// The provider has no such job and will not get one from the interrupted attempt.
        case absent
    }

    /// Whether the plugin can reconcile at all.
    package var offersReconcile: Bool { generation.reconcileExtension != nil }

    /// Asks the provider about `request` (the request submit would get). nil when the plugin
    /// does not offer the extension; throws when the provider could not be asked.
    package func reconcile(_ request: JSONValue) throws(PluginCallError) -> Reconciliation? {
        guard let ext = generation.reconcileExtension, let fn = ext.pointee.reconcile else { return nil }
        let g = generation
        do throws(PluginCallError) {
            let result = try jsonCall("reconcile", [UInt8](request.encoded())) { p, n, out, err in
                fn(g.pluginPointer, pointer, p, n, out, err)
            }
            return .found(result)
        } catch where error.status == .notFound && !error.generationRetired {
            return .absent
        }
    }
}
