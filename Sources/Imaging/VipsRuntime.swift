import CVips
import Synchronization

/// The process-wide libvips library: loaded and started once, on first image work, configured by
/// `VipsRuntimeSettings`.
///
/// libvips must be initialised exactly once per process before any other call, and its
/// cache and thread settings are global. Keeping that here means every `ImageWorkshop`
/// shares one started library, whichever thread creates it first.
///
/// Starting also sets up the process for image work, once: glibc malloc settings
/// (`MallocTuning`, unless `tuneMalloc` is off) and only the libvips modules the host uses
/// (`VipsModuleSelection`). Both keep the resident memory down; see their notes for the numbers.
/// Both touch process-wide state (malloc, the `VIPSHOME` variable during `vips_init`). Since
/// libvips is loaded on first image work (issue 18), that happens while other threads run: the
/// malloc settings then only shape arenas created afterwards, and `setenv` races any concurrent
/// `getenv` (glibc's environment is not thread-safe). A process that cannot accept that calls
/// `ImageWorkshop.start()` at start-up, as before, at the price of the idle memory.
enum VipsRuntime {
    private static let started = Mutex<Bool>(false)
    /// Set once `start` succeeded: the fast path of `ensureStarted`, taken on every image call.
    private static let running = Atomic<Bool>(false)

    /// Starts libvips with `settings` unless it already runs (then its settings are kept: the
    /// first image work of the process applies them). Cheap enough for every image call.
    static func ensureStarted(_ settings: VipsRuntimeSettings) throws(ImageProcessingError) {
        if running.load(ordering: .acquiring) { return }
        try start(settings)
    }

    /// Starts libvips if nobody has yet, then applies `settings` (the latest settings win,
    /// because libvips has only one set; malloc settings only apply at the first start).
    static func start(_ settings: VipsRuntimeSettings) throws(ImageProcessingError) {
        try started.withLock { (isStarted: inout Bool) throws(ImageProcessingError) in
            if !isStarted {
                // libvips is opened here, on first image work, not at process start (CVips):
                // an idle host never maps its dependency tree.
                var reason = [CChar](repeating: 0, count: 512)
                guard cvips_load(&reason, reason.count) == 0 else {
                    throw .libraryUnavailable(reason: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                }
                if settings.tuneMalloc { MallocTuning().apply() }
                let modules = VipsModuleSelection.prepare()
                let status = cvips_init("imagegen")
                modules.finish()
                guard status == 0 else {
                    throw .libraryUnavailable(reason: VipsErrorBuffer.take())
                }
                // Loaders marked untrusted (ImageMagick, PDF, ...) are never reachable: provider
                // bytes only go to the PNG/JPEG/WebP/HEIF loaders chosen by `ImageFormat`.
                cvips_block_untrusted_set(1)
                // liborc's run-time generated SIMD code (libvips 8.14 uses it for integer
                // convolutions) crashed the host now and then under concurrent post-processing:
                // 1 segfault inside liborc in 12 runs of `Benchmarks post-processing`, none in 15
                // runs with it off. Off costs up to ~15 % of post-processing throughput in those
                // runs (within their noise); a crash would end every job in the process, so it
                // stays off. (VIPS_NOVECTOR=1 does the same.)
                cvips_vector_set_enabled(0)
                cvips_silence_warnings()
                isStarted = true
            }
            cvips_concurrency_set(Int32(settings.effectiveConcurrency))
            cvips_cache_set_max(Int32(settings.cacheMaxOperations))
            cvips_cache_set_max_mem(settings.cacheMaxMemoryBytes)
            cvips_cache_set_max_files(Int32(settings.cacheMaxFiles))
            running.store(true, ordering: .releasing)
        }
    }
}
