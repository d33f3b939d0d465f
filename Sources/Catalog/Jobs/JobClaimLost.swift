/// Another host holds a live claim on the job: this host's claim lapsed (it stalled longer than
/// the lease) and the job was taken over. The job is the other host's now; this host drops it
/// without recording anything, least of all a submit.
public struct JobClaimLost: Error, CustomStringConvertible {
    public let jobID: String

    public init(jobID: String) { self.jobID = jobID }

    public var description: String { "job \(jobID) is claimed by another host (this host's claim lapsed); left to that host" }
}
