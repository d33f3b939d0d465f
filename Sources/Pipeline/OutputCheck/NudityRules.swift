import Foundation
import ImagegenCore

/// Which findings quarantine an image (issue 17 item 6). Outside the adult categories any exposed
/// nudity does; inside them only what is beyond the non-explicit line (exposed genitals or anus).
/// NudeNet finds body parts, not acts: a sexual act with no exposed part is not caught.
public struct NudityRules: Sendable, Equatable {
    /// Findings below this confidence are ignored (NudeNet reports down to 0.2).
    public var threshold: Double = 0.45

    public static let exposedNudity: Set<String> = [
        "FEMALE_BREAST_EXPOSED", "FEMALE_GENITALIA_EXPOSED", "MALE_GENITALIA_EXPOSED", "BUTTOCKS_EXPOSED", "ANUS_EXPOSED",
    ]
    public static let explicit: Set<String> = NudityVerdict.explicitLabels

    public init(threshold: Double = 0.45) { self.threshold = threshold }

    public func verdict(_ findings: [NudityFinding], adultCategory: Bool, category: String, detector: String) -> NudityVerdict {
        let kept = findings.filter { $0.score >= threshold }.sorted { $0.score > $1.score }
        let forbidden = adultCategory ? Self.explicit : Self.exposedNudity
        guard let hit = kept.first(where: { forbidden.contains($0.label) }) else {
            return NudityVerdict(quarantined: false, reason: nil, findings: kept, detector: detector)
        }
        let rule = adultCategory
            ? "explicit nudity is beyond what the adult category \(category) allows"
            : "exposed nudity in the non-adult category \(category)"
        return NudityVerdict(quarantined: true, reason: "\(rule): \(hit.label) (score \(String(format: "%.2f", hit.score)))",
                             findings: kept, detector: detector,
                             rule: kept.contains { Self.explicit.contains($0.label) } ? NudityVerdict.explicitNudity : NudityVerdict.exposedNudity)
    }
}
