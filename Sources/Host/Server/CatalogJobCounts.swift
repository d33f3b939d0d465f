/// Jobs counted by model, plugin and state in one query: `/metrics` derives both "jobs by
/// state" and "generations by model, plugin and outcome" from it, so the numbers survive a
/// restart and include jobs run by any process.
struct JobCount: Sendable, Equatable {
    var model: String
    /// Empty while no plugin has been chosen (a queued job).
    var plugin: String
    var state: JobState
    var count: Int
}

extension SQLiteCatalog {
    func jobCounts() throws -> [JobCount] {
        try db.query("""
            SELECT model, COALESCE(plugin_id, '') AS plugin, state, COUNT(*) AS n FROM jobs GROUP BY model, plugin, state
            """).compactMap { r in
            guard let state = r["state"]?.string.flatMap(JobState.init(rawValue:)) else { return nil }
            return JobCount(model: r["model"]?.string ?? "", plugin: r["plugin"]?.string ?? "", state: state,
                            count: Int(r["n"]?.int ?? 0))
        }
    }
}
