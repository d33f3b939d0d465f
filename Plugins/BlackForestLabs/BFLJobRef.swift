import PluginKit

/// What the host persists for a BFL task: its id and the `polling_url` BFL returned (on the
/// global endpoint it names the regional cluster that runs the task, so it is the only URL
/// that finds it again), the cost BFL reported at submit, and the signed result URL once the
/// task is ready.
struct BFLJobRef: Sendable, Equatable {
    var id: String
    var pollingURL: String
    var model: String
    /// BFL's `cost` in credits (1 credit = $0.01), as reported by the submit answer.
    var costCredits: Double?
    /// The signed result URL (`result.sample`), valid for 10 minutes after the task is ready.
    var sample: String?
    var seed: UInt32?

    var json: JSONValue {
        var o: [String: JSONValue] = ["v": 1, "id": .string(id), "polling_url": .string(pollingURL), "model": .string(model)]
        if let costCredits { o["cost_credits"] = .number(costCredits) }
        if let sample { o["sample"] = .string(sample) }
        if let seed { o["seed"] = .number(Double(seed)) }
        return .object(o)
    }

    init(id: String, pollingURL: String, model: String, costCredits: Double?, sample: String? = nil, seed: UInt32? = nil) {
        self.id = id
        self.pollingURL = pollingURL
        self.model = model
        self.costCredits = costCredits
        self.sample = sample
        self.seed = seed
    }

    init(_ v: JSONValue) throws(ProviderError) {
        guard let id = v["id"]?.string, let polling = v["polling_url"]?.string, let model = v["model"]?.string else {
            throw ProviderError(.invalidRequest, "bfl: the job reference lacks id/polling_url/model; it was not made by this plugin")
        }
        self.init(id: id, pollingURL: polling, model: model, costCredits: v["cost_credits"]?.number,
                  sample: v["sample"]?.string, seed: v["seed"]?.number.flatMap { UInt32(exactly: $0) })
    }
}
