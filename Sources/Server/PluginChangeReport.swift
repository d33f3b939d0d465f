import PluginHost
/// One change a plugin-folder scan applied, as JSON for `POST /v1/plugins/reload` and the log.
package struct PluginChangeReport: Sendable, Codable, Equatable {
    /// "loaded", "swapped", "refused" or "removed".
    package var kind: String
    package var file: String
    package var plugin: String?
    package var generation: Int?
    package var previousGeneration: Int?
    /// For a refusal: the reason, naming the file (the old generation, if any, keeps serving).
    package var error: String?

    enum CodingKeys: String, CodingKey {
        case kind, file, plugin, generation, error
        case previousGeneration = "previous_generation"
    }

    package init(_ change: PluginSet.Change) {
        switch change {
        case .loaded(let file, let id, _, let generation):
            self.init(kind: "loaded", file: file, plugin: id, generation: generation)
        case .swapped(let file, let id, let from, let to):
            self.init(kind: "swapped", file: file, plugin: id, generation: to, previousGeneration: from)
        case .refused(let refusal):
            self.init(kind: "refused", file: refusal.file, error: refusal.description)
        case .removed(let file, let id):
            self.init(kind: "removed", file: file, plugin: id)
        }
    }

    init(kind: String, file: String, plugin: String? = nil, generation: Int? = nil, previousGeneration: Int? = nil,
         error: String? = nil) {
        self.kind = kind
        self.file = file
        self.plugin = plugin
        self.generation = generation
        self.previousGeneration = previousGeneration
        self.error = error
    }

    // Nulls written out, like every other record of the API.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(file, forKey: .file)
        try c.encode(plugin, forKey: .plugin)
        try c.encode(generation, forKey: .generation)
        try c.encode(previousGeneration, forKey: .previousGeneration)
        try c.encode(error, forKey: .error)
    }
}
