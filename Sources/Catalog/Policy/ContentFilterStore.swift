import Foundation

/// Per-template counts of jobs the providers' safety filters refused, read from the jobs the
/// store keeps (a template's name travels in the job's extra fields).
package protocol ContentFilterStore: Sendable {
    /// Content-filtered and finished jobs per template since `since`, most filtered first. One read.
    func contentFilterCounts(since: Date) throws -> [ContentFilterCount]
}

extension ContentFilterStore {
    /// Templates filtered at least `threshold` times since `since`: what should raise an alert.
    package func templatesFilteredRepeatedly(threshold: Int = 3, since: Date) throws -> [ContentFilterCount] {
        try contentFilterCounts(since: since).filter { $0.filtered >= threshold }
    }
}
