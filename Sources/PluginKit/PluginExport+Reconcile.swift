import Foundation
import PluginAPI

/// The `imagegen.reconcile/1` table, offered only by plugins whose provider type conforms to
/// `ReconcilingProvider` (the host then asks before giving up on an unknown submit outcome).
extension PluginExport {
    nonisolated(unsafe) static let reconcileExtension: UnsafeMutablePointer<imagegen_reconcile_extension> = {
        let t = UnsafeMutablePointer<imagegen_reconcile_extension>.allocate(capacity: 1)
        t.initialize(to: imagegen_reconcile_extension())
        t.pointee.header = imagegen_table_header(struct_size: UInt32(MemoryLayout<imagegen_reconcile_extension>.size),
                                                 abi_major: UInt16(IMAGEGEN_ABI_MAJOR), abi_minor: UInt16(IMAGEGEN_ABI_MINOR))
        t.pointee.reconcile = { _, instance, json, len, out, err in
            call(instance, out, err) { p throws(ProviderError) in
                guard let reconciling = p as? any ReconcilingProvider else {
                    throw ProviderError(.unsupported, "this provider cannot look a job up by the host's job id")
                }
                let request = try decodeRequest(json, len)
                guard let result = try reconciling.reconcile(request) else {
                    throw ProviderError(.notFound, "the provider has no job for \(request.jobID)")
                }
                guard result.ref != nil else { throw ProviderError(.internal, "reconcile returned no job reference") }
                return [UInt8](result.json.encoded())
            }
        }
        return t
    }()

    /// Whether the loaded provider type offers reconcile.
    static var offersReconcile: Bool {
        state.withLock { $0.provider } is any ReconcilingProvider.Type
    }

    /// The neutral request, parsed the way submit parses it.
    static func decodeRequest(_ json: UnsafePointer<CChar>?, _ len: Int) throws(ProviderError) -> GenerationRequest {
        guard let json, let value = JSONValue.parse(UnsafeRawBufferPointer(start: json, count: len)) else {
            throw ProviderError(.invalidRequest, "the request is not valid JSON")
        }
        do {
            return try JSONDecoder().decode(GenerationRequest.self, from: value.encoded())
        } catch {
            throw ProviderError(.invalidRequest, "the request does not match the ABI's request schema: \(error)")
        }
    }
}
