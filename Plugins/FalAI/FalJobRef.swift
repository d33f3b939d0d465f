import PluginKit

/// What the host persists for a fal queue request: the request id and the three URLs fal
/// returned at submit. fal's docs insist on using those URLs rather than building them: the
/// status, result and cancel URLs use only the owner and app of a model id, not its endpoint
/// path (`fal-ai/flux-1/dev` is polled under `fal-ai/flux-1/requests/…`).
struct FalJobRef: Sendable, Equatable {
    var id: String
    var model: String
    var statusURL: String
    var responseURL: String
    var cancelURL: String
    /// Output file URLs (or `data:` URLs) and their types, once the result was read.
    var outputs: [Output]?

    struct Output: Sendable, Equatable {
        var url: String
        var mime: String
    }

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "v": 1, "id": .string(id), "model": .string(model), "status": .string(statusURL),
            "response": .string(responseURL), "cancel": .string(cancelURL),
        ]
        if let outputs {
            o["outputs"] = .array(outputs.map { ["url": .string($0.url), "mime": .string($0.mime)] })
        }
        return .object(o)
    }

    init(id: String, model: String, statusURL: String, responseURL: String, cancelURL: String, outputs: [Output]? = nil) {
        self.id = id
        self.model = model
        self.statusURL = statusURL
        self.responseURL = responseURL
        self.cancelURL = cancelURL
        self.outputs = outputs
    }

    init(_ v: JSONValue) throws(ProviderError) {
        guard let id = v["id"]?.string, let model = v["model"]?.string, let status = v["status"]?.string,
              let response = v["response"]?.string, let cancel = v["cancel"]?.string else {
            throw ProviderError(.invalidRequest, "fal: the job reference lacks id/status/response/cancel; it was not made by this plugin")
        }
        self.init(id: id, model: model, statusURL: status, responseURL: response, cancelURL: cancel,
                  outputs: v["outputs"]?.array?.compactMap { o in
                      o["url"]?.string.map { Output(url: $0, mime: o["mime"]?.string ?? "image/png") }
                  })
    }
}
