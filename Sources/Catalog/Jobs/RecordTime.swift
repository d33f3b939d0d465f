import Foundation
import ImagegenCore

/// The timestamp format records carry (`ImageRecord.metadata.generatedAt`): ISO 8601 with
/// milliseconds. Domain code writes it and every store reads it, so it lives beside the
/// storage port rather than in one store.
package enum RecordTime {
    /// A format style, not an `ISO8601DateFormatter`: creating one of those per call cost ~10%
    /// of a generation's CPU.
    package static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The date as ISO 8601 on the same millisecond as the stored columns (`TimeBounds`: rounded
    /// down, a date made from stored milliseconds kept on its millisecond).
    package static func iso(_ d: Date) -> String {
        let ms = Double(TimeBounds.milliseconds(d))
        return Date(timeIntervalSince1970: (ms + 0.5) / 1000).formatted(style)
    }
}
