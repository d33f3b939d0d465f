import Foundation
import Synchronization
import Catalog

/// A `SlotRunStore` in memory, for tests and dry runs. Shared between scheduler instances, it
/// plays the part of the catalog surviving a restart.
package final class InMemorySlotRunStore: SlotRunStore {
    private let runsByKey = Mutex<[String: SlotRun]>([:])

    package init(_ runs: [SlotRun] = []) {
        runsByKey.withLock { storage in for run in runs { storage[run.occurrenceKey] = run } }
    }

    package func insertIfAbsent(_ run: SlotRun) throws -> Bool {
        runsByKey.withLock { storage in
            guard storage[run.occurrenceKey] == nil else { return false }
            storage[run.occurrenceKey] = run
            return true
        }
    }

    package func run(occurrenceKey: String) throws -> SlotRun? {
        runsByKey.withLock { $0[occurrenceKey] }
    }

    @discardableResult
    package func update(_ run: SlotRun, from expected: SlotRunStatus) throws -> Bool {
        try runsByKey.withLock { storage throws(SlotRunStoreError) in
            guard let stored = storage[run.occurrenceKey] else { throw .notFound(occurrenceKey: run.occurrenceKey) }
            guard stored.status == expected else { return false }
            storage[run.occurrenceKey] = run
            return true
        }
    }

    package func runs(status: SlotRunStatus) throws -> [SlotRun] {
        runsByKey.withLock { $0.values.filter { $0.status == status } }
            .sorted { ($0.scheduledStart, $0.occurrenceKey) < ($1.scheduledStart, $1.occurrenceKey) }
    }

    package func history(since: Date?, limit: Int) throws -> [SlotRun] {
        let all = runsByKey.withLock { Array($0.values) }
        return Array(all.filter { since == nil || $0.scheduledStart >= since! }
            .sorted { ($0.scheduledStart, $0.occurrenceKey) > ($1.scheduledStart, $1.occurrenceKey) }
            .prefix(max(0, limit)))
    }

    /// Every stored run (test inspection).
    package var all: [SlotRun] {
        runsByKey.withLock { Array($0.values) }.sorted { $0.occurrenceKey < $1.occurrenceKey }
    }
}
