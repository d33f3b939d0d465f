import PluginKit

/// What the host persists for a Midjourney job: the wrapper's task id, which dialect made it
/// (a ref from one wrapper means nothing to another), the deadline, how many images were
/// asked for, and the image URLs once known.
struct MidjourneyJobRef: Sendable {
    var dialect: String
    var id: String
    var deadlineMs: Int64?
    var wanted: Int
    var outputs: [String]?
    /// The one output is the 2×2 grid (the wrapper gave no singles).
    var gridOnly = false

    init(dialect: String, id: String, deadlineMs: Int64?, wanted: Int, outputs: [String]? = nil) {
        self.dialect = dialect
        self.id = id
        self.deadlineMs = deadlineMs
        self.wanted = wanted
        self.outputs = outputs
    }

    init(_ v: JSONValue, expecting dialect: String) throws(ProviderError) {
        guard let id = v["id"]?.string, let d = v["dialect"]?.string else {
            throw ProviderError(.invalidRequest, "midjourney: the job reference has no id/dialect; it was not made by this plugin")
        }
        guard d == dialect else {
            throw ProviderError(.invalidRequest, "midjourney: job \(id) was made through the \(d) dialect, but this instance speaks "
                                + "\(dialect); it cannot be followed after the config changed")
        }
        self.init(dialect: d, id: id, deadlineMs: v["deadline_ms"]?.number.map { Int64($0) }, wanted: v["wanted"]?.int ?? 1,
                  outputs: v["outputs"]?.array?.compactMap(\.string))
        gridOnly = v["grid_only"]?.bool ?? false
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["v": 1, "dialect": .string(dialect), "id": .string(id), "wanted": .number(Double(wanted))]
        if let deadlineMs { o["deadline_ms"] = .number(Double(deadlineMs)) }
        if let outputs { o["outputs"] = .array(outputs.map { .string($0) }) }
        if gridOnly { o["grid_only"] = true }
        return .object(o)
    }
}
