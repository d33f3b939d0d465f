import Catalog
import ImagegenCore

/// The job overview reads of the HTTP API, each shaped to use an index and to decode no more
/// than the answer needs.
extension SQLiteCatalog: JobOverviewStore {
    /// The original images of some jobs, in job order, then output order, prompts opened like every
    /// other read (a raw row would hand `enc:v1:` envelopes to the API). (`images(ImageFilter(jobID:))`
    /// cannot use the (job_id, output_index) index because of its optional-filter form, and
    /// scans the whole table.)
    public func originalImages(ofJobs ids: [String]) throws -> [ImageRecord] {
        guard !ids.isEmpty else { return [] }
        let order = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return try db.query("""
            SELECT * FROM images WHERE job_id IN (SELECT value FROM json_each(?)) AND variant = 'original'
            """, [.text(try SQLiteCatalog.encode(ids))]).map(imageRecord(from:))
            .sorted { (order[$0.jobID ?? ""] ?? 0, $0.imageID) < (order[$1.jobID ?? ""] ?? 0, $1.imageID) }
    }

    /// The ids among `ids` whose jobs are final: one light query for all the waiters of
    /// `POST /v1/generations` with `wait` (no row decoding).
    public func finalJobIDs(among ids: [String]) throws -> Set<String> {
        Set(try db.query("""
            SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(?))
              AND state IN ('succeeded','failed','cancelled','content_filtered')
            """, [.text(try SQLiteCatalog.encode(ids))]).compactMap { $0["id"]?.string })
    }

    public func jobCounts() throws -> [JobCount] {
        try db.query("""
            SELECT model, COALESCE(plugin_id, '') AS plugin, state, COUNT(*) AS n FROM jobs GROUP BY model, plugin, state
            """).compactMap { r in
            guard let state = r["state"]?.string.flatMap(JobState.init(rawValue:)) else { return nil }
            return JobCount(model: r["model"]?.string ?? "", plugin: r["plugin"]?.string ?? "", state: state,
                            count: Int(r["n"]?.int ?? 0))
        }
    }
}
