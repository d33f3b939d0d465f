import Foundation
import ImagegenCore

extension GenerationService {
    /// The output nudity check every generated image goes through before it is stored as a
    /// good one; nil when `output_check.enabled` is off.
    public var outputCheck: OutputCheck? { outputCheckSlot.withLock { $0 } }

    /// Set once by the composition root from the config (tests put a recorded-verdict double here).
    package func useOutputCheck(_ check: OutputCheck?) {
        outputCheckSlot.withLock { $0 = check }
    }

    /// Whether `category` is an adult one (config and template categories), as the request
    /// validator decides it.
    func isAdultCategory(_ category: String) -> Bool {
        runtime.configuration.categories.merging(extraCategories()) { a, _ in a }[category]?.adult ?? false
    }
}
