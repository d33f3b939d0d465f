import PluginKit

/// The job reference of an A1111/Forge generation. `txt2img` blocks until the images exist
/// and hands them back only in its answer (the WebUI keeps no retrievable result), so they
/// travel inside the reference, base64 as they came: `poll` and `fetch` need no request.
struct A1111JobRef: Sendable {
    var taskID: String
    var state: PollResult.State
    /// Base64 PNGs, as the answer carried them.
    var images: [String]
    var seed: UInt32?
    var gpuSeconds: Double?
    var error: ProviderError?

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "v": 1, "task_id": .string(taskID), "state": .string(state.rawValue),
            "images": .array(images.map { .string($0) }),
        ]
        if let seed { o["seed"] = .number(Double(seed)) }
        if let gpuSeconds { o["gpu_s"] = .number(gpuSeconds) }
        if let error { o["error"] = ["status": .number(Double(error.status.rawValue)), "message": .string(error.message)] }
        return .object(o)
    }

    init(taskID: String, state: PollResult.State, images: [String] = [], seed: UInt32? = nil, gpuSeconds: Double? = nil,
         error: ProviderError? = nil) {
        self.taskID = taskID
        self.state = state
        self.images = images
        self.seed = seed
        self.gpuSeconds = gpuSeconds
        self.error = error
    }

    init(_ v: JSONValue) throws(ProviderError) {
        guard let task = v["task_id"]?.string, let s = v["state"]?.string, let state = PollResult.State(rawValue: s) else {
            throw ProviderError(.invalidRequest, "a1111: the job reference has no task_id/state; it was not made by this plugin")
        }
        taskID = task
        self.state = state
        images = v["images"]?.array?.compactMap(\.string) ?? []
        seed = v["seed"]?.number.flatMap { UInt32(exactly: $0) }
        gpuSeconds = v["gpu_s"]?.number
        if let e = v["error"], let code = e["status"]?.number, let status = ProviderStatus(rawValue: Int32(code)) {
            error = ProviderError(status, e["message"]?.string ?? "")
        }
    }
}
