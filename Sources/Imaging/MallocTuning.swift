import CVips
import Foundation

/// glibc malloc settings for a process that handles multi-megabyte image buffers on several
/// threads, applied once when libvips starts (`VipsRuntimeSettings.tuneMalloc`).
///
/// Why (figures from Benchmarks/imaging/README.md, 2026-11-25, 1024 × 1024 PNG): with glibc's
/// defaults the benchmark process peaked at 71–77 MiB RSS (one image at a time) and 86–91 MiB
/// (two workers); with these settings at 61–64 and 70–72 MiB, for the same CPU time.
/// - `arenaMax` 1: glibc gives threads up to 8 arenas per core. Each libvips worker and
///   encoder thread frees its buffers into its own arena, where they stay, so memory freed by
///   one thread is not reused by the next. One arena is where the memory goes down (the libvips
///   and sharp docs recommend 2; 1 measured 1.5–2 MiB lower, with no measurable CPU cost at two
///   workers on two cores: threads keep glibc's per-thread cache for small blocks). On many
///   cores with many busy threads, set `MALLOC_ARENA_MAX=2` or more in the environment.
/// - `mmapThresholdBytes` 8 MiB and `trimThresholdBytes` 16 MiB: the decoded image, the
///   enhanced master and the encoders' buffers (0.2–3 MiB each per megapixel) come from the
///   heap and are reused image after image. Mapping each of them instead (a fixed 256 KiB
///   threshold, as often recommended) gave the same peak within 1 MiB but 8–12 times the page
///   faults: about 10 ms more kernel time per image, the pages being zeroed again each time.
///   Buffers of images above about 2.5 megapixels are still mapped and returned to the system
///   when freed, and more than 16 MiB free at the top of the heap is returned too, so one huge
///   image does not leave the process large. The price: between images the process keeps about
///   one image's working set (about 12 MiB per megapixel) instead of returning it.
///
/// Nothing is changed when the operator already chose through the environment
/// (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_`): glibc has applied
/// those at start-up and they win.
struct MallocTuning: Sendable, Equatable {
    var arenaMax = 1
    var mmapThresholdBytes = 8 * 1024 * 1024
    var trimThresholdBytes = 16 * 1024 * 1024

    /// The settings the environment has not already fixed, applied to this process.
    func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func unlessSet(_ variable: String, _ value: Int) -> Int32 {
            environment[variable] == nil ? Int32(value) : 0
        }
        _ = cvips_tune_malloc(unlessSet("MALLOC_ARENA_MAX", arenaMax),
                              unlessSet("MALLOC_MMAP_THRESHOLD_", mmapThresholdBytes),
                              unlessSet("MALLOC_TRIM_THRESHOLD_", trimThresholdBytes))
    }
}
