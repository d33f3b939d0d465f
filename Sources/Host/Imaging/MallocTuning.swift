import CVips
import Foundation

/// glibc malloc settings for a process that handles multi-megabyte image buffers on several
/// threads, applied once when libvips starts (`VipsRuntimeSettings.tuneMalloc`).
///
/// Why: with glibc's defaults the imaging benchmark's process peaked at 76 MiB RSS, against
/// 61–63 MiB with these settings (Benchmarks/imaging/README.md, 2026-11-25). Two defaults cause it:
/// - glibc gives threads up to 8 arenas per core. Each libvips worker and encoder thread frees
///   its buffers into its own arena, where they stay, so memory freed by one thread is not
///   reused by the next. The libvips and sharp docs recommend 2 for servers; 1 measured another
///   1.5 MiB lower (59.0 against 60.5 MiB, one worker) with no measurable CPU cost at two workers
///   on two cores: threads still get glibc's per-thread cache for small blocks, and the large
///   buffers bypass the arenas (next point). On many cores with many busy threads, set
///   `MALLOC_ARENA_MAX=2` or more in the environment.
/// - buffers above the mmap threshold (128 KiB at first) are mapped and unmapped, but after the
///   first such buffer is freed glibc raises the threshold to its size (up to 32 MiB). From then
///   on every decoded image, derivative and encoder buffer (0.2–3 MiB each) comes from the heap
///   and stays resident after being freed. A fixed threshold keeps them mapped, so freeing one
///   returns it to the system at once; setting it also switches the raising off. 128 KiB to
///   1 MiB measured the same within 1 MiB.
/// `M_TRIM_THRESHOLD` is left at glibc's default: with the large buffers mapped, the heaps
/// stay small and trimming them changed the peak by less than 1 MiB.
///
/// Nothing is changed when the operator already chose through the environment
/// (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`): glibc has applied
/// those at start-up and they win.
struct MallocTuning: Sendable, Equatable {
    var arenaMax = 1
    var mmapThresholdBytes = 256 * 1024

    /// The settings the environment has not already fixed, applied to this process.
    func apply(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func unlessSet(_ variable: String, _ value: Int) -> Int32 {
            environment[variable] == nil ? Int32(value) : 0
        }
        _ = cvips_tune_malloc(unlessSet("MALLOC_ARENA_MAX", arenaMax),
                              unlessSet("MALLOC_MMAP_THRESHOLD_", mmapThresholdBytes))
    }
}
