import Foundation
import ImagegenJSON
import PluginAPI
import Synchronization

/// One loaded copy of a plugin file. A changed file becomes a new generation; an old one is
/// retired — drained, shut down, and kept mapped forever (never `dlclose` a Swift image).
public final class PluginGeneration: @unchecked Sendable {
    public let file: String
    public let number: Int
    public let contentHash: String
    public let manifest: PluginManifest
    public let abiMajor: Int
    public let abiMinor: Int
    public let loadedAt: Date

    /// The plugin's own table pointer: functions receive it, plugins may read plugin_data.
    let pluginPointer: UnsafePointer<imagegen_plugin>
    /// Zero-extended copy: fields the plugin predates read as nil.
    let table: imagegen_plugin
    let host: HostServiceTable
    let handle: UnsafeMutableRawPointer
    /// Size caps on what the plugin hands back.
    let limits: PluginBoundaryLimits
    /// Where calls in flight are recorded (shared by every generation of the set).
    let tracker: PluginCallTracker
    /// Held while `create` runs, so one generation creates one instance (see `sharedInstance`).
    private let creating = NSLock()

    private let inflight = Atomic<Int>(0)
    /// Mirrors `LifeState.retired` so the end of every call can skip the lock.
    private let retiredFlag = Atomic<Bool>(false)
    private let state = Mutex(LifeState())
    struct LifeState {
        var retired = false
        var shutDown = false
        var instances: [PluginInstance] = []
        /// The one configured instance every caller shares.
        var shared: PluginInstance?
    }

    init(file: String, number: Int, contentHash: String, manifest: PluginManifest, abiMajor: Int, abiMinor: Int,
         pluginPointer: UnsafePointer<imagegen_plugin>, table: imagegen_plugin, host: HostServiceTable,
         handle: UnsafeMutableRawPointer, limits: PluginBoundaryLimits = PluginBoundaryLimits(),
         tracker: PluginCallTracker = PluginCallTracker()) {
        self.file = file
        self.number = number
        self.contentHash = contentHash
        self.manifest = manifest
        self.abiMajor = abiMajor
        self.abiMinor = abiMinor
        self.pluginPointer = pluginPointer
        self.table = table
        self.host = host
        self.handle = handle
        self.limits = limits
        self.tracker = tracker
        self.loadedAt = Date()
    }

    public var abi: String { "\(abiMajor).\(abiMinor)" }
    public var inflightCalls: Int { inflight.load(ordering: .relaxed) }
    public var isRetired: Bool { state.withLock { $0.retired } }

    /// Pins the generation for one call, so a retiring swap waits for it.
    ///
    /// Lock-free, and still closes the read-then-swap race of the recipe's step 3: the caller
    /// raises `inflight` and then reads the retired flag; `retire()` raises the flag and then
    /// reads `inflight` (all sequentially consistent). So either the drain check sees this
    /// call and waits for it, or this call sees the flag and backs off with a
    /// `generationRetired` error — it never calls into a generation being shut down. A caller
    /// holding an instance from before a swap then retries on the current generation.
    func pinned<T>(_ body: () throws(PluginCallError) -> T) throws(PluginCallError) -> T {
        inflight.add(1, ordering: .sequentiallyConsistent)
        if retiredFlag.load(ordering: .sequentiallyConsistent) {
            if inflight.subtract(1, ordering: .sequentiallyConsistent).newValue == 0 { shutdownIfDrained() }
            throw PluginCallError(.cancelled, "plugin \(manifest.id) generation \(number) was retired", generationRetired: true)
        }
        defer {
            if inflight.subtract(1, ordering: .acquiringAndReleasing).newValue == 0, retiredFlag.load(ordering: .acquiring) {
                shutdownIfDrained()
            }
        }
        return try body()
    }

    /// Creates a configured instance (the provider's config section as JSON).
    public func makeInstance(config: JSONValue) throws(PluginCallError) -> PluginInstance {
        guard let create = table.create else { throw PluginCallError(.unsupported, "the plugin has no create()") }
        return try pinned { () throws(PluginCallError) -> PluginInstance in
            let bytes = [UInt8](config.encoded())
            var out: OpaquePointer?
            let (status, message, retry) = tracker.tracking(manifest.id, "create") {
                PluginErrorBuffer.call { err in
                    bytes.withUnsafeBufferPointer { b in
                        b.withMemoryRebound(to: CChar.self) { create(pluginPointer, $0.baseAddress, $0.count, &out, err) }
                    }
                }
            }
            guard status == .ok, let out else {
                throw PluginCallError(status == .ok ? .internal : status,
                                      message.isEmpty ? "create() failed" : message, retryAfterMilliseconds: retry)
            }
            let instance = PluginInstance(generation: self, pointer: out)
            state.withLock { $0.instances.append(instance) }
            return instance
        }
    }

    /// The generation's one instance, created by the first caller. Racing first uses wait for
    /// that one `create` instead of each running their own (two instances from one config, one
    /// of them never used); a failed `create` is tried again by the next use. `create` must not
    /// block (the ABI says so), so the wait is short.
    public func sharedInstance(config: @autoclosure () -> JSONValue) throws(PluginCallError) -> PluginInstance {
        if let existing = state.withLock({ $0.shared }) { return existing }
        creating.lock()
        defer { creating.unlock() }
        if let existing = state.withLock({ $0.shared }) { return existing }
        let instance = try makeInstance(config: config())
        state.withLock { $0.shared = instance }
        return instance
    }

    /// Stops new calls; once drained, destroys the instances and calls `shutdown` once.
    public func retire() {
        state.withLock { $0.retired = true }
        retiredFlag.store(true, ordering: .sequentiallyConsistent)
        shutdownIfDrained()
    }

    /// Waits (bounded) until no call is in flight. Returns false on timeout.
    public func waitUntilDrained(timeout: TimeInterval) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while inflightCalls > 0 {
            if Date() > end { return false }
            usleep(1000)
        }
        return true
    }

    private func shutdownIfDrained() {
        let instances: [PluginInstance]? = state.withLock { s in
            guard s.retired, !s.shutDown, inflight.load(ordering: .sequentiallyConsistent) == 0 else { return nil }
            s.shutDown = true
            defer { s.instances = []; s.shared = nil }
            return s.instances
        }
        guard let instances else { return }
        for i in instances { i.destroy() }
        table.shutdown?(pluginPointer)
    }

    /// The `imagegen.balance/1` extension, if the plugin offers it.
    var balanceExtension: UnsafePointer<imagegen_balance_extension>? {
        guard let get = table.get_extension else { return nil }
        let raw = IMAGEGEN_EXT_BALANCE.withCString { get(pluginPointer, $0) }
        guard let raw else { return nil }
        let ext = raw.assumingMemoryBound(to: imagegen_balance_extension.self)
        guard ext.pointee.header.abi_major == UInt16(IMAGEGEN_ABI_MAJOR),
              Int(ext.pointee.header.struct_size) >= MemoryLayout<imagegen_balance_extension>.size else { return nil }
        return ext
    }
}

/// A host-allocated `imagegen_error` with a message buffer, for one call.
enum PluginErrorBuffer {
    static let capacity = 2048

    static func call(_ body: (UnsafeMutablePointer<imagegen_error>) -> imagegen_status) -> (PluginStatus, String, Int?) {
        // On the stack: no allocation or zeroing on the (common) successful call.
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { mb in
            var err = imagegen_error()
            err.struct_size = UInt32(MemoryLayout<imagegen_error>.size)
            err.retry_after_ms = -1
            err.message = mb.baseAddress
            err.message_capacity = mb.count
            let status = PluginStatus(code: body(&err))
            let n = min(err.message_len, mb.count)
            // A plugin that cut its message at the capacity mid-character: drop the cut tail.
            let message = UTF8Cut.decode(UnsafeRawBufferPointer(start: mb.baseAddress, count: n))
            return (status, message, err.retry_after_ms >= 0 ? Int(err.retry_after_ms) : nil)
        }
    }
}
