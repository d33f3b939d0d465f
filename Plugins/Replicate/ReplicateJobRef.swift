import PluginKit

/// What the host persists for a Replicate prediction: enough to poll, fetch and cancel it from
/// a fresh process, including the output URLs once known (they expire an hour after the run,
/// so they are downloaded as soon as the prediction succeeds).
struct ReplicateJobRef: Sendable, Equatable {
    var id: String
    var getURL: String
    var cancelURL: String
    /// The host's deadline for the job (Unix ms), if it set one.
    var deadlineMs: Int64?
    /// Output URLs (or `data:` URLs), once the prediction succeeded.
    var outputs: [String]?

    var json: JSONValue {
        var o: [String: JSONValue] = ["v": 1, "id": .string(id), "get": .string(getURL), "cancel": .string(cancelURL)]
        if let deadlineMs { o["deadline_ms"] = .number(Double(deadlineMs)) }
        if let outputs { o["outputs"] = .array(outputs.map { .string($0) }) }
        return .object(o)
    }

    init(id: String, getURL: String, cancelURL: String, deadlineMs: Int64?, outputs: [String]? = nil) {
        self.id = id
        self.getURL = getURL
        self.cancelURL = cancelURL
        self.deadlineMs = deadlineMs
        self.outputs = outputs
    }

    init(_ value: JSONValue) throws(ProviderError) {
        guard let id = value["id"]?.string, let get = value["get"]?.string, let cancel = value["cancel"]?.string else {
            throw ProviderError(.invalidRequest, "replicate: the job reference lacks id/get/cancel; it was not made by this plugin")
        }
        self.init(id: id, getURL: get, cancelURL: cancel, deadlineMs: value["deadline_ms"]?.number.map { Int64($0) },
                  outputs: value["outputs"]?.array?.compactMap(\.string))
    }
}
