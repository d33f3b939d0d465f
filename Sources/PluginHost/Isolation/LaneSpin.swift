import Foundation

/// Whether to poll a lane for a short while before sleeping on it. On a VM whose other vCPU is
/// idle, sleeping on a reply costs a wake-up each way (an IPI and a VM exit: 40–76 µs of CPU
/// per call measured, against ≈ 10 µs for the round trip itself); a frame that comes within a
/// few tens of µs is cheaper caught by polling. Adaptive, so a slow call, an idle lane or a
/// loaded machine (where the other side waits for a core) costs almost nothing: after
/// `missesToStop` spins in a row that ended empty it stops, and tries again once every
/// `probeEvery` waits. One per lane side (and per operation on the host's), used by the one
/// thread that holds the lane.
struct LaneSpin {
    static let missesToStop: UInt8 = 2
    static let probeEvery: UInt16 = 64

    /// The longest spin, in ns; 0 never spins.
    let window: UInt64
    private var misses: UInt8 = 0
    private var skipped: UInt16 = 0

    init(microseconds: Int) { window = UInt64(max(0, microseconds)) * 1000 }

    /// The spin's end (uptime ns) for the wait about to start, or nil to sleep at once.
    mutating func deadline() -> UInt64? {
        guard window > 0 else { return nil }
        if misses >= LaneSpin.missesToStop {
            skipped += 1
            guard skipped >= LaneSpin.probeEvery else { return nil }
            skipped = 0
        }
        return DispatchTime.now().uptimeNanoseconds &+ window
    }

    /// What the wait found: a frame within the window, or not.
    mutating func record(hit: Bool) {
        if hit { misses = 0 } else if misses < LaneSpin.missesToStop { misses += 1 }
    }

    /// The window both sides use, in µs: `IMAGEGEN_LANE_SPIN_US` (0 turns spinning off, for
    /// measuring), else the default picked from Benchmarks/README.md's figures.
    static let configuredMicroseconds: Int = {
        if let v = ProcessInfo.processInfo.environment["IMAGEGEN_LANE_SPIN_US"], let n = Int(v), n >= 0 { return min(n, 1000) }
        return defaultMicroseconds
    }()
    static let defaultMicroseconds = 50
}
