import Foundation

/// How libvips runs inside this process: its worker threads and its operation cache.
///
/// libvips keeps these as process-wide settings, so they belong to the whole host rather than
/// to a category profile. Decoding tolerates missing keys (each falls back to its default).
public struct VipsRuntimeSettings: Codable, Sendable, Equatable {
    /// Worker threads libvips uses inside one pipeline. 0 means one per processor core.
    public var concurrency: Int
    /// Most operations libvips' operation cache keeps. The default is 0: every provider image
    /// is new, so a cached operation is never reused; caching would only keep decoded buffers
    /// of images already finished alive and raise peak memory.
    public var cacheMaxOperations: Int
    /// Most memory the operation cache may hold, in bytes (only matters when operations are cached).
    public var cacheMaxMemoryBytes: Int
    /// Most files the operation cache may keep open (the host loads from memory, so few).
    public var cacheMaxFiles: Int
    /// Set glibc malloc up for image buffers when libvips starts (one arena; buffers up to
    /// 8 MiB kept in the heap for reuse, see `MallocTuning`): the benchmark's peak drops from
    /// 71–77 to 61–64 MiB, for the same CPU time. Process-wide and applied once, by the first
    /// `ImageWorkshop`; turn it off when the embedding process tunes malloc itself.
    /// `MALLOC_*` environment variables win.
    public var tuneMalloc: Bool

    public init(concurrency: Int = 0, cacheMaxOperations: Int = 0,
                cacheMaxMemoryBytes: Int = 16 * 1024 * 1024, cacheMaxFiles: Int = 8, tuneMalloc: Bool = true) {
        self.concurrency = concurrency
        self.cacheMaxOperations = cacheMaxOperations
        self.cacheMaxMemoryBytes = cacheMaxMemoryBytes
        self.cacheMaxFiles = cacheMaxFiles
        self.tuneMalloc = tuneMalloc
    }

    /// The thread count actually handed to libvips.
    var effectiveConcurrency: Int {
        concurrency > 0 ? concurrency : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    private enum CodingKeys: String, CodingKey {
        case concurrency, cacheMaxOperations, cacheMaxMemoryBytes, cacheMaxFiles, tuneMalloc
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = VipsRuntimeSettings()
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? d.concurrency
        cacheMaxOperations = try c.decodeIfPresent(Int.self, forKey: .cacheMaxOperations) ?? d.cacheMaxOperations
        cacheMaxMemoryBytes = try c.decodeIfPresent(Int.self, forKey: .cacheMaxMemoryBytes) ?? d.cacheMaxMemoryBytes
        cacheMaxFiles = try c.decodeIfPresent(Int.self, forKey: .cacheMaxFiles) ?? d.cacheMaxFiles
        tuneMalloc = try c.decodeIfPresent(Bool.self, forKey: .tuneMalloc) ?? d.tuneMalloc
    }

    /// Problems that make these settings unusable, each naming the key; empty when valid.
    func problems() -> [String] {
        var found: [String] = []
        if concurrency < 0 { found.append("runtime.concurrency must be 0 (one per core) or more, got \(concurrency)") }
        if cacheMaxOperations < 0 { found.append("runtime.cacheMaxOperations must be 0 or more, got \(cacheMaxOperations)") }
        if cacheMaxMemoryBytes < 0 { found.append("runtime.cacheMaxMemoryBytes must be 0 or more, got \(cacheMaxMemoryBytes)") }
        if cacheMaxFiles < 0 { found.append("runtime.cacheMaxFiles must be 0 or more, got \(cacheMaxFiles)") }
        return found
    }
}
