import Foundation

/// One body part the detector found (NudeNet's classes: `FEMALE_BREAST_EXPOSED`,
/// `MALE_GENITALIA_EXPOSED`, `BUTTOCKS_COVERED`, `FACE_FEMALE`, …) with its confidence and box.
public struct NudityFinding: Sendable, Equatable, Codable {
    public var label: String
    public var score: Double
    /// x, y, width, height in pixels of the image as classified.
    public var box: [Int]

    public init(label: String, score: Double, box: [Int] = []) {
        self.label = label
        self.score = score
        self.box = box
    }
}

/// The output check's answer for one image: kept, or quarantined with the reason and what the
/// detector saw (both belong in the image's record, for reviewers).
public struct NudityVerdict: Sendable, Equatable, Codable {
    public var quarantined: Bool
    /// Why, naming the rule and the finding; nil when kept.
    public var reason: String?
    /// Every finding at or above the rules' threshold (covered parts and faces included).
    public var findings: [NudityFinding]
    /// The detector and version that produced the findings.
    public var detector: String
    /// Which rule held it back (`exposed_nudity`, `explicit_nudity`, `output_check_unavailable`);
    /// nil when kept (and in verdicts recorded before the field existed).
    public var rule: String?

    public static let exposedNudity = "exposed_nudity"
    public static let explicitNudity = "explicit_nudity"
    /// The check could not run (detector missing, dead, hung or unreadable input): held, never passed.
    public static let checkUnavailable = "output_check_unavailable"

    public init(quarantined: Bool, reason: String?, findings: [NudityFinding], detector: String, rule: String? = nil) {
        self.quarantined = quarantined
        self.reason = reason
        self.findings = findings
        self.detector = detector
        self.rule = rule
    }

    /// Labels beyond the non-explicit line in every category (exposed genitals or anus).
    public static let explicitLabels: Set<String> = ["FEMALE_GENITALIA_EXPOSED", "MALE_GENITALIA_EXPOSED", "ANUS_EXPOSED"]

    /// A hard line: explicit nudity found (at or above the threshold the verdict kept). No
    /// category allows it, so no reviewer can release it; it can be rejected and purged.
    public var isHardLine: Bool { quarantined && findings.contains { Self.explicitLabels.contains($0.label) } }
}
