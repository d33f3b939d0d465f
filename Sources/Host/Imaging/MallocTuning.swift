import CVips
import Foundation

/// glibc malloc settings for a process that handles multi-megabyte image buffers on several
/// threads, applied once when libvips starts (`VipsRuntimeSettings.tuneMalloc`).
///
/// Why: with glibc's defaults the imaging benchmark peaked at 96–99 MiB RSS, against 69–73 MiB
/// with these settings, for the same CPU time (Benchmarks/imaging/README.md). Two defaults cause it:
/// - glibc gives threads up to 8 arenas per core. Each libvips worker and encoder thread frees
///   its buffers into its own arena, where they stay, so memory freed by one thread is not
///   reused by the next. `arenaMax` 2 is what the libvips and sharp docs recommend for servers.
/// - buffers above the mmap threshold (128 KiB at first) are mapped and unmapped, but after the
///   first such buffer is freed glibc raises the threshold to its size (up to 32 MiB). From then
///   on every decoded image, derivative and encoder buffer (0.2–3 MiB each) comes from the heap
///   and stays resident after being freed. A fixed threshold keeps them mapped, so freeing one
///   returns it to the system at once; setting it also switches the raising off.
/// `M_TRIM_THRESHOLD` is left at glibc's default (128 KiB): 128 KiB and 1 MiB gave the same
/// peak within 1 MiB, as did mmap thresholds from 128 KiB to 1 MiB and 1 or 2 arenas.
///
/// Nothing is changed when the operator already chose through the environment
/// (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`): glibc has applied
/// those at start-up and they win.
struct MallocTuning: Sendable, Equatable {
    var arenaMax = 2
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
