import Foundation
import ImagegenCore
import Imaging

extension JobExecution {
    /// The output check's verdict for one fetched output (nil when the check is off). Runs off
    /// the cooperative pool: the detector blocks its thread for the detection.
    func outputVerdict(image: VerifiedImage?, bytes: [UInt8], category: String) async -> NudityVerdict? {
        guard let check = service.outputCheck else { return nil }
        let workshop = service.imaging, adult = service.isAdultCategory(category)
        let scratch = service.runtime.paths.data + "/tmp"
        let log = service.runtime.log
        let verdict = try? await BlockingWork.run {  // try?: BlockingWork only throws what the body throws, and this body throws nothing
            check.verdict(image: image, bytes: bytes, workshop: workshop, category: category, adult: adult, scratch: scratch)
        }
        let result = verdict ?? NudityVerdict(quarantined: true, reason: "the output check did not answer", findings: [],
                                                detector: check.classifier.name, rule: NudityVerdict.checkUnavailable)
        if let reason = result.reason { log.warning("output check: quarantined (\(reason))", source: "output-check") }
        return result
    }
}
