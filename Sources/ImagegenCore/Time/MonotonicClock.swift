import Glibc

/// Nanoseconds on CLOCK_MONOTONIC: cheap integer deadlines and timestamps, immune to wall-clock
/// jumps, and comparable across processes on one machine (a plugin-runner child's start times
/// against the host's).
package enum MonotonicClock {
    package static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
