import Foundation
import ImagegenCore

/// The finished work as the metrics, the alert rules, `stats` and the reports read it: finished
/// jobs as `GenerationRecord`s and a few counts. Read-only; each method is one read of committed
/// state.
public protocol GenerationRecordStore: Sendable {
    /// Jobs finished in `[from, before)` (either bound optional), oldest first, at most `limit`.
    func generationRecords(finishedFrom from: Date?, before: Date?, limit: Int) throws -> [GenerationRecord]
    /// The last `limit` finished jobs, oldest first (the alert rules' recent window).
    func latestGenerationRecords(limit: Int) throws -> [GenerationRecord]
    /// Jobs finished after `cursor` (all when nil), oldest first, at most `limit`, with the cursor to
    /// continue from: how the serve loop feeds each finished job to the metrics exactly once.
    func generationRecords(after cursor: GenerationRecordCursor?, limit: Int) throws
        -> (records: [GenerationRecord], next: GenerationRecordCursor?)
    /// How many jobs are in `state` now.
    func countJobs(state: JobState) throws -> Int
    /// Original images stored from `plugin` in `[from, before)` (provider account quotas).
    func storedImageCount(plugin: String, from: Date, before: Date) throws -> Int
}
