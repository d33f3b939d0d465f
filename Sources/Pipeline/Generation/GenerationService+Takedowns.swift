import Foundation
import Catalog
import ImagegenCore

extension GenerationService {
    /// Refuses a batch when one of its jobs would remake a taken-down image: the same template
    /// with the same seed (TAKE IT DOWN Act: "reasonable steps" against re-publication). Audited.
    func refuseTakenDown(_ jobs: [NewJob]) throws {
        guard let takedowns else { return }
        for job in jobs {
            guard let template = job.extra["template"], let seed = job.parameters.seed else { continue }
            if let tombstone = try takedowns.tombstone(template: template, seed: seed) {
                runtime.security.audit.record(.takedownRefusal, subject: template, details: [
                    "seed": String(seed), "takedown_id": tombstone.takedownID, "image_id": tombstone.imageID])
                throw TakenDownRefusal(template: template, seed: seed, takedownID: tombstone.takedownID)
            }
        }
    }
}

/// A generation that would make again an image that was taken down.
public struct TakenDownRefusal: Error, Sendable, Equatable, CustomStringConvertible, MeaningfulError {
    public var template: String
    public var seed: UInt32
    public var takedownID: String

    public var description: String {
        "template \(template) with seed \(seed) made an image that was taken down (\(takedownID)); it is not generated again — use another seed"
    }

    package var meaning: ErrorMeaning { .policyRefused }
    package var errorCode: String { "taken_down" }
}
