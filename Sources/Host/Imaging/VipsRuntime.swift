import CVips
import Synchronization

/// The process-wide libvips library: started once, configured by `VipsRuntimeSettings`.
///
/// libvips must be initialised exactly once per process before any other call, and its
/// cache and thread settings are global. Keeping that here means every `ImageWorkshop`
/// shares one started library, whichever thread creates it first.
enum VipsRuntime {
    private static let started = Mutex<Bool>(false)

    /// Starts libvips if nobody has yet, then applies `settings` (the latest settings win,
    /// because libvips has only one set).
    static func start(_ settings: VipsRuntimeSettings) throws(ImageProcessingError) {
        try started.withLock { (isStarted: inout Bool) throws(ImageProcessingError) in
            if !isStarted {
                guard vips_init("imagegen") == 0 else {
                    throw .libraryUnavailable(reason: VipsErrorBuffer.take())
                }
                // Loaders marked untrusted (ImageMagick, PDF, ...) are never reachable: provider
                // bytes only go to the PNG/JPEG/WebP/HEIF loaders chosen by `ImageFormat`.
                vips_block_untrusted_set(1)
                cvips_silence_warnings()
                isStarted = true
            }
            vips_concurrency_set(Int32(settings.effectiveConcurrency))
            vips_cache_set_max(Int32(settings.cacheMaxOperations))
            vips_cache_set_max_mem(settings.cacheMaxMemoryBytes)
            vips_cache_set_max_files(Int32(settings.cacheMaxFiles))
        }
    }
}
