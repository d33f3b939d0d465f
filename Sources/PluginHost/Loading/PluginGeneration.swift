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

    /// How calls reach the copy: in this process, or in a child (the seam, see `PluginTransport`).
    package let transport: any PluginTransport
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

    package init(file: String, number: Int, contentHash: String, manifest: PluginManifest, abiMajor: Int, abiMinor: Int,
                 transport: any PluginTransport, tracker: PluginCallTracker = PluginCallTracker()) {
        self.file = file
        self.number = number
        self.contentHash = contentHash
        self.manifest = manifest
        self.abiMajor = abiMajor
        self.abiMinor = abiMinor
        self.transport = transport
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
        try pinned { () throws(PluginCallError) -> PluginInstance in
            let endpoint = try tracker.tracking(manifest.id, "create") { () throws(PluginCallError) in
                try transport.makeEndpoint(config: [UInt8](config.encoded()))
            }
            let instance = PluginInstance(generation: self, endpoint: endpoint)
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
        transport.shutdown(endpoints: instances.map(\.endpoint))
    }

    /// The `dlopen` handle of a copy loaded into this process; nil for one in a child.
    var handle: UnsafeMutableRawPointer? { (transport as? InProcessTransport)?.handle }

    /// How the copy runs (isolation, crashes, quarantine).
    public var runStatus: PluginRunStatus { transport.status }
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
