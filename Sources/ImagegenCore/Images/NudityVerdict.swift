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

    public init(quarantined: Bool, reason: String?, findings: [NudityFinding], detector: String) {
        self.quarantined = quarantined
        self.reason = reason
        self.findings = findings
        self.detector = detector
    }
}
