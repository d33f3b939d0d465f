import DurableFiles
import Foundation
import ImagegenJSON
import Synchronization
import ImagegenCore

/// The plugins folder as loaded: one slot per file, each holding its current generation (or
/// the reason it was refused). `rescan()` applies what changed on disk: new files load,
/// changed files become a new generation (the old one drains and retires), removed files
/// retire, and a refused replacement leaves the old generation serving.
public final class PluginSet: Sendable {
    public let directory: String
    let loader: PluginLoader
    let log: Log
    /// Files modified more recently than this are left for the next scan (a copy in progress).
    let settleMilliseconds: Int
    private let state = Mutex(State())
    private let providerConfig: Mutex<[String: JSONValue]>
    private let changeObservers = Mutex<[@Sendable ([Change]) -> Void]>([])
    /// Per plugin id, across generations: calls in flight (`limits.max_in_flight`).
    private let gates = Mutex<[String: PluginCallGate]>([:])

    struct Slot {
        var file: String
        var hash: String
        var generation: PluginGeneration?
        var refusal: PluginRefusal?
        /// Size and modification time when last read: an unchanged file is not read again.
        var size = -1
        var mtime = Date.distantPast
    }
    struct State {
        var slots: [String: Slot] = [:]
        var nextGeneration = 1
        var retired: [PluginGeneration] = []
        /// Bumped whenever the set of current generations changes.
        var version = 0
        /// Plugin id → when it was first loaded, as a rank: every id first loaded by one scan
        /// shares the rank one above the highest so far. Kept across hot swaps, removals and
        /// restarts (in `arrivalsFile`), so a plugin dropped in later stays "later".
        var arrivals: [String: Int] = [:]
    }

    /// What a rescan changed, for logs, audit and the API.
    public enum Change: Sendable, CustomStringConvertible {
        case loaded(file: String, id: String, version: String, generation: Int)
        case swapped(file: String, id: String, from: Int, to: Int)
        case refused(PluginRefusal)
        case removed(file: String, id: String)

        public var description: String {
            switch self {
            case .loaded(let f, let id, let v, let g): return "loaded \(f): \(id) \(v) (generation \(g))"
            case .swapped(let f, let id, let a, let b): return "swapped \(f): \(id) generation \(a) → \(b)"
            case .refused(let r): return "refused \(r)"
            case .removed(let f, let id): return "removed \(f): \(id)"
            }
        }
    }

    /// Where the arrival order persists (`<data>/plugin-arrivals.json`); nil keeps it in memory.
    let arrivalsFile: String?

    public init(directory: String, loader: PluginLoader, log: Log, providerConfig: [String: JSONValue],
                settleMilliseconds: Int = 0, arrivalsFile: String? = nil) {
        self.arrivalsFile = arrivalsFile
        if let arrivalsFile, let data = FileManager.default.contents(atPath: arrivalsFile) {
            if let saved = JSONValue.parse([UInt8](data))?.object {
                state.withLock { $0.arrivals = saved.compactMapValues(\.int) }
            } else {
                log.warning("\(arrivalsFile) is not a JSON object of plugin ids; the plugins' load order starts afresh")
            }
        }
        self.directory = directory
        self.loader = loader
        self.log = log
        self.settleMilliseconds = settleMilliseconds
        self.providerConfig = Mutex(providerConfig)
    }

    /// The `.so` files in the folder, sorted (the load order is part of the documented rules).
    func listFiles() -> [String] {
        // try?: a missing plugins folder means no plugins; the runtime warns about it once at start
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".so") && !$0.hasPrefix(".") }.sorted().map { directory + "/" + $0 }
    }

    @discardableResult
    public func rescan() -> [Change] {
        let files = listFiles()
        let scan = state.withLock { s in (s.arrivals.values.max() ?? 0) + 1 }
        var arrived = false
        var changes: [Change] = []
        let present = Set(files)
        // Removed files.
        let gone: [Slot] = state.withLock { s in
            let g = s.slots.values.filter { !present.contains($0.file) }
            for slot in g { s.slots[slot.file] = nil }
            return g
        }
        for slot in gone {
            if let gen = slot.generation {
                retire(gen)
                changes.append(.removed(file: name(slot.file), id: gen.manifest.id))
            }
        }
        for file in files {
            // stat(2), not FileManager's attributes (which also look up the owner's name, ten
            // times the cost, on every scan of every file). It follows a symbolic link, so a link
            // into a build folder is reloaded when its target changes. A file removed between
            // listing and stat is simply not loaded this scan.
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            let size = Int(info.st_size)
            let mtime = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            if settleMilliseconds > 0, Date().timeIntervalSince(mtime) * 1000 < Double(settleMilliseconds) {
                continue // still being written; the next scan picks it up
            }
            let existing = state.withLock { $0.slots[file] }
            if let existing, existing.size == size, existing.mtime == mtime { continue }
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let bytes = [UInt8](data)
            let hash = PluginLoader.contentHash(bytes)
            if let existing, existing.hash == hash {
                state.withLock { $0.slots[file]?.size = size; $0.slots[file]?.mtime = mtime }
                continue
            }
            let number = state.withLock { s in defer { s.nextGeneration += 1 }; return s.nextGeneration }
            var result = loader.load(file: file, bytes: bytes, hash: hash, generation: number)
            if case .success(let gen) = result, let other = owner(of: gen.manifest.id, except: file) {
                result = .failure(.duplicateID(file: name(file), id: gen.manifest.id, otherFile: name(other)))
                gen.retire()
            }
            switch result {
            case .success(let gen):
                let old = state.withLock { s -> PluginGeneration? in
                    let old = s.slots[file]?.generation
                    if s.arrivals[gen.manifest.id] == nil {
                        s.arrivals[gen.manifest.id] = scan
                        arrived = true
                    }
                    s.slots[file] = Slot(file: file, hash: hash, generation: gen, refusal: nil, size: size, mtime: mtime)
                    return old
                }
                if let old {
                    retire(old)
                    changes.append(.swapped(file: name(file), id: gen.manifest.id, from: old.number, to: gen.number))
                } else {
                    changes.append(.loaded(file: name(file), id: gen.manifest.id, version: gen.manifest.version, generation: gen.number))
                }
            case .failure(let refusal):
                state.withLock { s in
                    var slot = s.slots[file] ?? Slot(file: file, hash: hash, generation: nil, refusal: nil)
                    slot.hash = hash
                    slot.refusal = refusal
                    slot.size = size
                    slot.mtime = mtime
                    s.slots[file] = slot
                }
                changes.append(.refused(refusal))
            }
        }
        if arrived { saveArrivals() }
        if changes.contains(where: { if case .refused = $0 { return false }; return true }) {
            state.withLock { $0.version += 1 }
        }
        for change in changes {
            if case .refused = change { log.warning("plugin \(change)") } else { log.info("plugin \(change)") }
        }
        if !changes.isEmpty {
            for observer in changeObservers.withLock({ $0 }) { observer(changes) }
        }
        return changes
    }

    /// Calls `observer` with the changes of every rescan that changed something (the audit log).
    public func observeChanges(_ observer: @escaping @Sendable ([Change]) -> Void) {
        changeObservers.withLock { $0.append(observer) }
    }

    private func name(_ file: String) -> String { (file as NSString).lastPathComponent }

    private func owner(of id: String, except file: String) -> String? {
        state.withLock { s in
            s.slots.values.first { $0.file != file && $0.generation?.manifest.id == id }?.file
        }
    }

    /// Retires a generation: new calls already go elsewhere; it shuts down once drained and
    /// stays mapped.
    private func retire(_ gen: PluginGeneration) {
        state.withLock { $0.retired.append(gen) }
        gen.retire()
    }

    private func saveArrivals() {
        guard let arrivalsFile else { return }
        let saved = JSONValue.object(state.withLock { $0.arrivals }.mapValues { .number(Double($0)) })
        do {
            try AtomicFile.write(saved.encoded(), to: arrivalsFile)
        } catch {
            log.warning("cannot save the plugins' load order (\(error)); a plugin added later may be ordered as if loaded first after a restart")
        }
    }

    /// Plugin id → when it was first loaded (a rank): the model table puts a plugin that arrived
    /// after another already served a model last for that model.
    public var arrivals: [String: Int] { state.withLock { $0.arrivals } }

    /// Changes whenever a generation is loaded, swapped or removed (for caches).
    public var version: Int { state.withLock { $0.version } }

    /// The current generations, in file order.
    public var generations: [PluginGeneration] {
        state.withLock { s in s.slots.values.sorted { $0.file < $1.file }.compactMap(\.generation) }
    }

    /// Starts the child of every current generation that has none yet (one loaded from the
    /// describe cache), in the background: what `serve` does so the first job does not wait for it.
    public func warmUp() {
        for generation in generations { generation.transport.warmUp() }
    }

    public func generation(forPlugin id: String) -> PluginGeneration? {
        generations.first { $0.manifest.id == id }
    }

    /// The configured instance of plugin `id`'s current generation, created on first use.
    public func instance(forPlugin id: String) throws(PluginCallError) -> PluginInstance {
        // A swap may retire the generation between reading it and configuring it: read again.
        var attempts = 0
        while true {
            attempts += 1
            do throws(PluginCallError) {
                return try currentInstance(forPlugin: id)
            } catch where error.generationRetired && attempts < 5 {
                continue
            }
        }
    }

    private func currentInstance(forPlugin id: String) throws(PluginCallError) -> PluginInstance {
        guard let gen = generation(forPlugin: id) else {
            throw PluginCallError(.unsupported, "plugin \(id) is not loaded")
        }
        return try gen.sharedInstance(config: createConfig(forPlugin: id))
    }

    /// What `create` gets: the `providers.<id>` section re-serialised, with `"schema": 1`.
    func createConfig(forPlugin id: String) -> JSONValue {
        var config = providerConfig.withLock { $0[id] } ?? .object([:])
        if case .object(var o) = config {
            o["schema"] = 1
            config = .object(o)
        }
        return config
    }

    /// The gate of plugin `id`'s calls in flight.
    package func callGate(forPlugin id: String) -> PluginCallGate {
        let capacity = settings(forPlugin: id).maxInFlight
        return gates.withLock { g in
            if let gate = g[id] { return gate }
            let gate = PluginCallGate(capacity: capacity)
            g[id] = gate
            return gate
        }
    }

    /// Plugin `id`'s isolation, limits and watchdogs (`providers.<id>`).
    package func settings(forPlugin id: String) -> IsolationSettings {
        IsolationSettings(section: providerConfig.withLock { $0[id] }, id: id)
    }

    /// `imagegen plugins reload`: quarantined plugins get a fresh child on their next call.
    public func releaseQuarantines() {
        for g in generations { g.transport.releaseQuarantine() }
    }

    /// Rows for `imagegen plugins` and `GET /v1/plugins`.
    public var records: [PluginRecord] {
        state.withLock { s in
            s.slots.values.sorted { $0.file < $1.file }.map { slot in
                let g = slot.generation
                return PluginRecord(
                    file: (slot.file as NSString).lastPathComponent, id: g?.manifest.id, version: g?.manifest.version,
                    abi: g?.abi, status: slot.refusal == nil ? "loaded" : (g == nil ? "refused" : "loaded"),
                    error: slot.refusal?.description, models: g?.manifest.models.map(\.name) ?? [],
                    generation: g?.number, contentHash: g?.contentHash, run: g?.runStatus)
            }
        }
    }

    /// Retires everything (host exit): shutdown runs on each once drained. The scratch folder
    /// the copies were loaded from is empty (each copy is unlinked right after `dlopen`), so it
    /// goes too rather than staying behind in /dev/shm.
    public func shutdown() {
        let all = state.withLock { s in s.slots.values.compactMap(\.generation) }
        for g in all { g.retire() }
        PluginScratch.removeOwnFolder()
    }
}

/// One row of `imagegen plugins`.
public struct PluginRecord: Sendable, Codable, Equatable {
    public var file: String
    public var id: String?
    public var version: String?
    public var abi: String?
    /// "loaded" or "refused". A refused replacement of a loaded file keeps "loaded" (the old
    /// generation serves) and reports the refusal in `error`.
    public var status: String
    public var error: String?
    public var models: [String]
    public var generation: Int?
    public var contentHash: String?
    /// How the loaded generation runs: isolation, crashes, quarantine.
    public var run: PluginRunStatus?
    /// For each model the plugin serves last because it was loaded after another plugin
    /// already served it (no priority in the config): why. nil when none.
    public var ordering: [String]?

    enum CodingKeys: String, CodingKey {
        case file, id, version, abi, status, error, models, generation, run, ordering
        case contentHash = "content_blake2b"
    }
}
