import Foundation

/// `output_check`: the nudity check of every generated image before it is stored as a good one
/// (docs/compliance.md §3). On by default. The detector starts on the first image to check, not
/// when a host opens; when it cannot start or answer in time the image is quarantined
/// (`output_check_unavailable`), never stored as available.
public struct OutputCheckSettings: Sendable, Codable, Equatable {
    public var enabled = true
    /// The detector: `nudenet` (the only one shipped).
    public var detector = "nudenet"
    /// The Python interpreter that has the `nudenet` wheel (when unset: the setup's venv
    /// `/usr/local/lib/imagegen/venv` if there is one, else PATH's `python3`).
    public var python: String?
    /// Findings below this confidence are ignored.
    public var threshold = 0.45
    /// Seconds the detector may take to start or to answer one image before it is killed (and
    /// restarted for the next image); the image it did not answer is quarantined.
    public var timeoutSeconds = 30.0
    /// Detector processes, each checking one image at a time; 0 = one per two cores (at least one,
    /// at most four): the host's own work on each image needs the other cores. One process caps a
    /// host at about 25 images a second; each more costs the memory of a Python with the model
    /// (~100 MB) and starts only when the others are busy, so a quiet host runs one.
    public var processes = 0

    /// The processes `processes` asks for on a machine with `cores` cores.
    public func effectiveProcesses(cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        processes > 0 ? processes : min(4, max(1, cores / 2))
    }

    public static let detectors = ["nudenet"]
    static let knownKeys = ["enabled", "detector", "python", "threshold", "timeout_seconds", "processes"]

    public init() {}
    enum CodingKeys: String, CodingKey {
        case enabled, detector, python, threshold, processes
        case timeoutSeconds = "timeout_seconds"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? enabled
        detector = try c.decodeIfPresent(String.self, forKey: .detector) ?? detector
        python = try c.decodeIfPresent(String.self, forKey: .python)
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold) ?? threshold
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? timeoutSeconds
        processes = try c.decodeIfPresent(Int.self, forKey: .processes) ?? processes
    }
}

/// `retention`: how long held-back images are kept before `serve` (and `imagegen retention
/// apply`) purge their files. nil keeps them for good. Takedown tombstones, the ledger and the
/// audit log are never purged.
public struct RetentionSettings: Sendable, Codable, Equatable {
    /// Days after a rejection before a rejected original and its derivatives are purged.
    public var rejectedDays: Int?
    /// Days after generation before a quarantined original is purged.
    public var quarantinedDays: Int?
    /// How often `serve` applies the rules.
    public var intervalHours = 24.0

    static let knownKeys = ["rejected_days", "quarantined_days", "interval_hours"]

    public init(rejectedDays: Int? = nil, quarantinedDays: Int? = nil) {
        self.rejectedDays = rejectedDays
        self.quarantinedDays = quarantinedDays
    }
    enum CodingKeys: String, CodingKey {
        case rejectedDays = "rejected_days", quarantinedDays = "quarantined_days", intervalHours = "interval_hours"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rejectedDays = try c.decodeIfPresent(Int.self, forKey: .rejectedDays)
        quarantinedDays = try c.decodeIfPresent(Int.self, forKey: .quarantinedDays)
        intervalHours = try c.decodeIfPresent(Double.self, forKey: .intervalHours) ?? intervalHours
    }

    /// Whether any rule is set (nothing to apply otherwise).
    public var isActive: Bool { rejectedDays != nil || quarantinedDays != nil }
}
