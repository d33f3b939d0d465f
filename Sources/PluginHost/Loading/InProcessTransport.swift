import Foundation
import PluginAPI
import Synchronization

/// A plugin copy `dlopen`ed into this process: calls go straight through its C table. Fast
/// (no copy beyond the output), but a crash or a hang in the plugin is the host's; see
/// `IsolatedTransport`. The child of an isolated plugin runs its copy with this transport.
package final class InProcessTransport: PluginTransport, @unchecked Sendable {
    /// The plugin's own table pointer: functions receive it, plugins may read plugin_data.
    let pluginPointer: UnsafePointer<imagegen_plugin>
    /// Zero-extended copy: fields the plugin predates read as nil.
    let table: imagegen_plugin
    let host: HostServiceTable
    let handle: UnsafeMutableRawPointer
    let threadSafe: Bool
    /// Size caps on what the plugin hands back, checked before anything is copied.
    let limits: PluginBoundaryLimits

    init(pluginPointer: UnsafePointer<imagegen_plugin>, table: imagegen_plugin, host: HostServiceTable,
         handle: UnsafeMutableRawPointer, threadSafe: Bool, limits: PluginBoundaryLimits) {
        self.pluginPointer = pluginPointer
        self.table = table
        self.host = host
        self.handle = handle
        self.threadSafe = threadSafe
        self.limits = limits
    }

    package var status: PluginRunStatus { PluginRunStatus(isolation: "none") }

    package func releaseQuarantine() {}
    package func warmUp() {}

    package func makeEndpoint(config: [UInt8]) throws(PluginCallError) -> any PluginEndpoint {
        guard let create = table.create else { throw PluginCallError(.unsupported, "the plugin has no create()") }
        var out: OpaquePointer?
        let (status, message, retry) = PluginErrorBuffer.call { err in
            config.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { create(pluginPointer, $0.baseAddress, $0.count, &out, err) }
            }
        }
        guard status == .ok, let out else {
            throw PluginCallError(status == .ok ? .internal : status,
                                  message.isEmpty ? "create() failed" : message, retryAfterMilliseconds: retry)
        }
        return InProcessEndpoint(transport: self, pointer: out)
    }

    package func shutdown(endpoints: [any PluginEndpoint]) {
        for e in endpoints { e.destroy() }
        table.shutdown?(pluginPointer)
    }

    package func offers(_ kind: PluginExtensionKind) -> Bool {
        switch kind {
        case .balance: balanceExtension != nil
        case .reconcile: reconcileExtension != nil
        }
    }

    /// Looked up again before every use, as the header asks of the host.
    var balanceExtension: UnsafePointer<imagegen_balance_extension>? {
        guard let raw = IMAGEGEN_EXT_BALANCE.withCString({ table.get_extension?(pluginPointer, $0) }) else { return nil }
        let ext = raw.assumingMemoryBound(to: imagegen_balance_extension.self)
        guard ext.pointee.header.abi_major == UInt16(IMAGEGEN_ABI_MAJOR),
              Int(ext.pointee.header.struct_size) >= MemoryLayout<imagegen_balance_extension>.size,
              ext.pointee.balance != nil else { return nil }
        return ext
    }

    var reconcileExtension: UnsafePointer<imagegen_reconcile_extension>? {
        guard let raw = IMAGEGEN_EXT_RECONCILE.withCString({ table.get_extension?(pluginPointer, $0) }) else { return nil }
        let ext = raw.assumingMemoryBound(to: imagegen_reconcile_extension.self)
        guard ext.pointee.header.abi_major == UInt16(IMAGEGEN_ABI_MAJOR),
              Int(ext.pointee.header.struct_size) >= MemoryLayout<imagegen_reconcile_extension>.size,
              ext.pointee.reconcile != nil else { return nil }
        return ext
    }
}

/// One `imagegen_instance *`. Calls are serialised per instance unless the plugin is thread-safe.
final class InProcessEndpoint: PluginEndpoint, @unchecked Sendable {
    let transport: InProcessTransport
    let pointer: OpaquePointer
    private let serial = NSLock()
    private let destroyed = Atomic<Bool>(false)

    init(transport: InProcessTransport, pointer: OpaquePointer) {
        self.transport = transport
        self.pointer = pointer
    }

    func destroy() {
        guard !destroyed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        transport.table.destroy?(transport.pluginPointer, pointer)
    }

    func call(_ operation: PluginOperation, input: [UInt8], index: UInt32) throws(PluginCallError) -> [UInt8] {
        guard !destroyed.load(ordering: .acquiring) else {
            throw PluginCallError(.cancelled, "the plugin generation was retired", generationRetired: true)
        }
        let t = transport.table, p = transport.pluginPointer, instance = pointer
        typealias Fn = (UnsafePointer<CChar>?, Int, UnsafeMutablePointer<imagegen_output>, UnsafeMutablePointer<imagegen_error>) -> imagegen_status
        let fn: Fn
        switch operation {
        case .submit:
            guard let f = t.submit else { throw PluginCallError(.unsupported, "no submit()") }
            fn = { f(p, instance, $0, $1, $2, $3) }
        case .poll:
            guard let f = t.poll else { throw PluginCallError(.unsupported, "no poll()") }
            fn = { f(p, instance, $0, $1, $2, $3) }
        case .fetch:
            guard let f = t.fetch else { throw PluginCallError(.unsupported, "no fetch()") }
            fn = { f(p, instance, $0, $1, index, $2, $3) }
        case .cancel:
            guard let f = t.cancel else { throw PluginCallError(.unsupported, "no cancel()") }
            fn = { f(p, instance, $0, $1, $3) }
        case .balance:
            guard let f = transport.balanceExtension?.pointee.balance else { throw PluginCallError(.unsupported, "no balance extension") }
            fn = { _, _, out, err in f(p, instance, out, err) }
        case .reconcile:
            guard let f = transport.reconcileExtension?.pointee.reconcile else { throw PluginCallError(.unsupported, "no reconcile extension") }
            fn = { f(p, instance, $0, $1, $2, $3) }
        }
        if !transport.threadSafe { serial.lock() }
        defer { if !transport.threadSafe { serial.unlock() } }
        var taken: Result<[UInt8], PluginCallError> = .success([])
        let (status, message, retry) = PluginErrorBuffer.call { err in
            var out = imagegen_output()
            let status = input.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { fn($0.baseAddress, $0.count, &out, err) }
            }
            if status == IMAGEGEN_OK && operation != .cancel { taken = take(&out, operation) }
            return status
        }
        guard status == .ok else {
            throw PluginCallError(status, message.isEmpty ? "\(operation) failed with \(status)" : message,
                                  retryAfterMilliseconds: retry)
        }
        return try taken.get()
    }

    /// Takes a plugin-owned output, size-checked before the copy (`PluginOutputCopy`), then
    /// hands it back to `release`.
    private func take(_ out: inout imagegen_output, _ operation: PluginOperation) -> Result<[UInt8], PluginCallError> {
        let (limit, what) = transport.limits.outputLimit(operation)
        let t = transport
        return PluginOutputCopy.take(&out, release: { t.table.release?(t.pluginPointer, $0) }, call: operation.description,
                                     limit: limit, what: what)
    }
}
