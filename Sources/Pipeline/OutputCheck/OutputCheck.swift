import Foundation
import ImagegenCore
import Imaging

/// The output nudity check of the pipeline (issue 17 item 6): one generated image, after the
/// libvips check and before it is stored, gets a verdict from the detector and the rules. It
/// fails closed: a detector that cannot run quarantines the image with that reason (the paid
/// image is kept for review, never published), it never passes it unchecked.
public struct OutputCheck: Sendable {
    public let classifier: any NudityClassifier
    public let rules: NudityRules
    /// NudeNet resizes its input to 320 px; a copy this size keeps its detections and costs
    /// a fraction of decoding the provider's file again.
    public static let detectorLongEdge = 320

    public init(classifier: any NudityClassifier, rules: NudityRules = NudityRules()) {
        self.classifier = classifier
        self.rules = rules
    }

    /// The verdict for one image. `image` is the pipeline's decoded image (nil without libvips:
    /// the provider's bytes go to the detector as they are); `scratch` is a folder of the host
    /// where the detector's input lives for the call (a killed process's file is swept at start).
    public func verdict(image: VerifiedImage?, bytes: [UInt8], workshop: ImageWorkshop?, category: String, adult: Bool,
                        scratch: String) -> NudityVerdict {
        let input: Data, scale: Double
        if let image, let workshop {
            do { (input, scale) = try workshop.detectorCopy(image, longEdge: Self.detectorLongEdge) } catch {
                return unchecked("cannot prepare the image for the detector: \(error)")
            }
        } else {
            (input, scale) = (Data(bytes), 1)
        }
        // An AtomicFile-style temp name, so TempFileSweep removes what a killed process left.
        let path = scratch + "/.nudity-check.\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            try input.write(to: URL(fileURLWithPath: path))
        } catch {
            return unchecked("cannot write the detector's input \(path): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }  // try?: a leftover is swept at the next start
        let findings: [NudityFinding]
        do {
            findings = try classifier.classify(files: [path]).first ?? []
        } catch {
            return unchecked("\(error)")
        }
        let inImagePixels = scale < 1 ? findings.map { finding in
            var f = finding
            f.box = f.box.map { Int((Double($0) / scale).rounded()) }
            return f
        } : findings
        return rules.verdict(inImagePixels, adultCategory: adult, category: category, detector: classifier.name)
    }

    private func unchecked(_ reason: String) -> NudityVerdict {
        NudityVerdict(quarantined: true, reason: "the output check could not run, so the image is held for review: \(reason)",
                      findings: [], detector: classifier.name, rule: NudityVerdict.checkUnavailable)
    }
}
