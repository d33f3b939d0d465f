import ImagegenCore

/// The reads the HTTP API makes on every wait, job view and scrape, each shaped so the store
/// can answer it from an index and decode no more than the answer needs (the general
/// `CatalogStore.images(_:)` filter cannot).
public protocol JobOverviewStore: Sendable {
    /// The original images of the jobs `ids`, in job order, then output order, prompts opened
    /// like every other read. One read.
    func originalImages(ofJobs ids: [String]) throws -> [ImageRecord]
    /// The ids among `ids` whose jobs are final (succeeded, failed, cancelled, filtered): one
    /// light read for all the waiters of `POST /v1/generations` with `wait`.
    func finalJobIDs(among ids: [String]) throws -> Set<String>
    /// Jobs counted by model, plugin and state. One read.
    func jobCounts() throws -> [JobCount]
}
