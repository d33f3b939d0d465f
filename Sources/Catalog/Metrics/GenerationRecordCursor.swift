import Foundation

/// Where an incremental read of finished jobs stopped: the last (finish time, job id) read.
public struct GenerationRecordCursor: Sendable, Hashable {
    public var finishedAt: Date
    public var jobID: String
    public init(finishedAt: Date, jobID: String) {
        self.finishedAt = finishedAt
        self.jobID = jobID
    }
}
