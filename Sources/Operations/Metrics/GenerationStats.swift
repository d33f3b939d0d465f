import Foundation
import Catalog

/// Aggregates finished attempts into per-model, per-provider, per-category or per-template statistics
/// (`imagegen stats`, reports, `/v1/stats`).
package enum GenerationStats {
    /// One `GroupStats` per distinct key of `dimension`, sorted by key.
    package static func group(_ records: [GenerationRecord], by dimension: StatsDimension) -> [GroupStats] {
        Dictionary(grouping: records, by: dimension.key(of:))
            .map { GroupStats(key: $0.key, records: $0.value) }
            .sorted { $0.key < $1.key }
    }

    /// All records as one group named "all".
    package static func overall(_ records: [GenerationRecord]) -> GroupStats {
        GroupStats(key: "all", records: records)
    }

    /// The records finished in `[start, end)`.
    package static func within(_ records: [GenerationRecord], from start: Date, to end: Date) -> [GenerationRecord] {
        records.filter { $0.finishedAt >= start && $0.finishedAt < end }
    }
}
