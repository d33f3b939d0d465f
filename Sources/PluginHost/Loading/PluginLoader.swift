import Crypto
import Foundation
import Glibc
import PluginAPI
import ImagegenCore
import ImagegenJSON

/// Loads plugin files: unique private copy → `dlopen(RTLD_NOW|RTLD_LOCAL|RTLD_NODELETE)` →
/// ABI checks → entry → `describe`. The copy is unlinked at once; the mapping keeps it alive.
///
/// A unique path per load is what makes a rebuilt file load as new code: `dlopen` of a path
/// that is already resident returns the old image. RTLD_NODELETE because a Swift image must
/// never be unmapped (the runtime keeps pointers into it).
public struct PluginLoader: Sendable {
    /// The size of ABI 1.0's plugin table: header + plugin_data + 10 function pointers.
    public static let minimumTableSize = 96
    public static let supportedMajor = Int(IMAGEGEN_ABI_MAJOR)

    let services: any PluginHostServices
    let scratch: String
    /// The plugin-runner executable: plugins load in child processes (unless their config says
    /// `isolation: "none"`). nil: every plugin loads into this process.
    let runner: String?
    let providerConfig: [String: JSONValue]
    /// Size caps on what a plugin hands back, checked where the output is copied (here, or in
    /// the child, which gets them on its command line) and again when a child's reply arrives.
    let limits: PluginBoundaryLimits
    /// Calls in flight into every plugin this loader loads (what health reads).
    public let tracker: PluginCallTracker
    /// Earlier describes by content hash: an unchanged plugin loads without a child start.
    let describeCache: PluginDescribeCache?

    public init(log: Log, secrets: any SecretSource, http: PluginHTTPClient? = nil,
                clock: (@Sendable () -> Int64)? = nil,
                providerConfig: [String: JSONValue] = [:], runner: String? = PluginRunnerLocation.executable,
                limits: PluginBoundaryLimits = PluginBoundaryLimits(), tracker: PluginCallTracker = PluginCallTracker(),
                describeCache: String? = nil) {
        self.services = LocalHostServices(log: log, secrets: secrets, http: http ?? PluginHTTPClient(secrets: secrets, log: log), clock: clock)
        self.runner = runner
        if let describeCache, let runner {
            self.describeCache = PluginDescribeCache(folder: describeCache, runner: runner)
        } else {
            self.describeCache = nil
        }
        self.providerConfig = providerConfig
        self.limits = limits
        self.tracker = tracker
        scratch = PluginScratch.folder()
        PluginScratch.removeAtExit()
    }

    /// The loader inside a plugin runner: in-process, with the host's services proxied.
    package init(services: any PluginHostServices, limits: PluginBoundaryLimits) {
        self.services = services
        self.runner = nil
        self.describeCache = nil
        self.providerConfig = [:]
        self.limits = limits
        self.tracker = PluginCallTracker()
        scratch = PluginScratch.folder()
        PluginScratch.removeAtExit()
    }

    /// A plugin file's identity: BLAKE2b-256 of its bytes, hex. It only has to tell two builds
    /// apart, and BLAKE2b is several times faster than libsodium's SHA-256 on a multi-MB .so.
    public static func contentHash(_ bytes: [UInt8]) -> String {
        SodiumEncoding.hex(GenericHash.hash(bytes, length: 32))
    }

    public func load(file: String, generation: Int) -> Result<PluginGeneration, PluginRefusal> {
        let name = (file as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: file) else {
            return .failure(.unreadable(file: name, reason: FileManager.default.fileExists(atPath: file) ? "permission denied" : "no such file"))
        }
        let bytes = [UInt8](data)
        return load(file: file, bytes: bytes, hash: PluginLoader.contentHash(bytes), generation: generation)
    }

    /// Loads from bytes already read (and hashed) by the caller: what was checked is what loads.
    public func load(file: String, bytes: [UInt8], hash: String, generation: Int) -> Result<PluginGeneration, PluginRefusal> {
        load(file: file, bytes: bytes, hash: hash, generation: generation, isolated: runner != nil)
    }

    package func load(file: String, bytes: [UInt8], hash: String, generation: Int, isolated: Bool) -> Result<PluginGeneration, PluginRefusal> {
        let name = (file as NSString).lastPathComponent
        guard bytes.count >= 4, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            return .failure(.notELF(file: name))
        }
        if let problem = ELFImageCheck.problem(bytes) {
            return .failure(.incompleteELF(file: name, detail: problem))
        }
        if isolated, let runner {
            return loadIsolated(file: file, bytes: bytes, hash: hash, generation: generation, runner: runner)
        }
        return loadInProcess(file: file, bytes: bytes, hash: hash, generation: generation).map(\.generation)
    }

    /// A private copy at a unique path, open. The folder is removed when a host shuts down
    /// (`PluginScratch.removeOwnFolder`): if that happens between the two steps, try again.
    func privateCopy(_ bytes: [UInt8], hash: String, name: String) -> Result<(fd: Int32, path: String), PluginRefusal> {
        var template: [CChar] = []
        var fd: Int32 = -1
        for _ in 0..<2 where fd < 0 {
            try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)  // try?: the copy into it fails next, naming the file
            template = Array("\(scratch)/\(hash.prefix(12))-XXXXXX.so".utf8CString)
            fd = template.withUnsafeMutableBufferPointer { buf -> Int32 in
                guard let base = buf.baseAddress else { return -1 }
                return mkstemps(base, 3)
            }
        }
        guard fd >= 0 else { return .failure(.unreadable(file: name, reason: "cannot create a private copy in \(scratch)")) }
        let copyPath = String(cString: template)
        let wrote = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard wrote == bytes.count else {
            close(fd)
            unlink(copyPath)
            return .failure(.unreadable(file: name, reason: "cannot write a private copy"))
        }
        return .success((fd, copyPath))
    }

    /// `dlopen` into this process. Also what the plugin runner does in its child.
    package func loadInProcess(file: String, bytes: [UInt8], hash: String, generation: Int)
        -> Result<(generation: PluginGeneration, description: [UInt8]), PluginRefusal> {
        let name = (file as NSString).lastPathComponent
        let copyPath: String
        switch privateCopy(bytes, hash: hash, name: name) {
        case .failure(let r): return .failure(r)
        case .success(let copy):
            close(copy.fd)
            copyPath = copy.path
        }
        defer { unlink(copyPath) }

        guard let handle = dlopen(copyPath, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(.dlopenFailed(file: name, reason: reason.replacingOccurrences(of: copyPath, with: name)))
        }
        guard let sym = dlsym(handle, IMAGEGEN_PLUGIN_ENTRY_V1) else {
            // Nothing of it ran (no entry), and RTLD_NODELETE keeps it mapped anyway.
            return .failure(.noEntrySymbol(file: name))
        }
        let entry = unsafeBitCast(sym, to: imagegen_plugin_entry_v1_fn.self)

        let context = HostServiceTable.Context(services: services)
        let host = HostServiceTable(context: context)
        host.setSource(name)
        guard let plugin = entry(host.pointer) else { return .failure(.entryReturnedNull(file: name)) }

        // Read the header field by field before trusting the size.
        let header = UnsafeRawPointer(plugin).load(as: imagegen_table_header.self)
        guard Int(header.abi_major) == PluginLoader.supportedMajor else {
            return .failure(.wrongMajor(file: name, found: Int(header.abi_major), expected: PluginLoader.supportedMajor))
        }
        guard Int(header.struct_size) >= PluginLoader.minimumTableSize else {
            return .failure(.tableTooSmall(file: name, size: Int(header.struct_size), minimum: PluginLoader.minimumTableSize))
        }
        var table = imagegen_plugin()
        withUnsafeMutableBytes(of: &table) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: plugin, count: min(Int(header.struct_size), dst.count)))
        }
        let required: [(String, Bool)] = [
            ("describe", table.describe != nil), ("create", table.create != nil), ("destroy", table.destroy != nil),
            ("submit", table.submit != nil), ("poll", table.poll != nil), ("fetch", table.fetch != nil),
            ("cancel", table.cancel != nil), ("release", table.release != nil),
        ]
        if let missing = required.first(where: { !$0.1 }) { return .failure(.missingFunction(file: name, name: missing.0)) }

        let description: [UInt8]
        switch PluginLoader.describe(table, plugin) {
        case .success(let d): description = d
        case .failure(let problem): return .failure(.describeFailed(file: name, message: problem.description))
        }
        let manifest: PluginManifest
        switch PluginManifest.parse(description) {
        case .success(let m): manifest = m
        case .failure(let p): return .failure(.invalidDescription(file: name, reason: p.description))
        }
        host.setSource(manifest.id)
        let transport = InProcessTransport(pluginPointer: plugin, table: table, host: host, handle: handle,
                                           threadSafe: manifest.threadSafe, limits: limits)
        return .success((PluginGeneration(
            file: file, number: generation, contentHash: hash, manifest: manifest,
            abiMajor: Int(header.abi_major), abiMinor: Int(header.abi_minor), transport: transport, tracker: tracker), description))
    }

    static func describe(_ table: imagegen_plugin, _ plugin: UnsafePointer<imagegen_plugin>) -> Result<[UInt8], ManifestProblem> {
        guard let describe = table.describe else { return .failure(ManifestProblem("no describe()")) }
        var capacity = 16 * 1024
        for _ in 0..<4 {
            var buf = [CChar](repeating: 0, count: capacity)
            var len = 0
            let status = PluginStatus(code: describe(plugin, &buf, capacity, &len))
            switch status {
            case .ok:
                guard len <= capacity else { return .failure(ManifestProblem("describe reported \(len) bytes into a \(capacity)-byte buffer")) }
                return .success(buf.prefix(len).map { UInt8(bitPattern: $0) })
            case .bufferTooSmall where len > capacity && len <= PluginBoundaryLimits.maxDescribeBytes:
                capacity = len
            case .bufferTooSmall where len > PluginBoundaryLimits.maxDescribeBytes:
                return .failure(ManifestProblem("describe asked for a \(len)-byte buffer, more than the \(PluginBoundaryLimits.maxDescribeBytes)-byte limit"))
            default:
                return .failure(ManifestProblem("status \(status)"))
            }
        }
        return .failure(ManifestProblem("describe kept asking for a larger buffer"))
    }
}
