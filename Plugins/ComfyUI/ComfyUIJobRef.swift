import PluginKit

/// The job reference the host persists for a ComfyUI job. It carries the patched graph so
/// that a job ComfyUI lost (restarted with an empty queue, before history was written) can be
/// queued again under the same `prompt_id` from any process; once the job succeeds it carries
/// the output file names, so fetching needs neither the history (in memory only at ComfyUI,
/// gone after a restart) nor another lookup.
struct ComfyUIJobRef: Sendable {
    var promptID: String
    var workflow: [String: JSONValue]
    var outputNodes: [String]?
    /// How many times the job was queued again after it vanished.
    var resubmits: Int
    var outputs: [ComfyUIJobStatus.Image]?
    var gpuSeconds: Double?

    init(promptID: String, workflow: ComfyUIWorkflow) {
        self.promptID = promptID
        self.workflow = workflow.graph
        self.outputNodes = workflow.outputNodes
        resubmits = 0
    }

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "v": 1, "prompt_id": .string(promptID), "workflow": .object(workflow),
            "resubmits": .number(Double(resubmits)),
        ]
        if let outputNodes { o["output_nodes"] = .array(outputNodes.map { .string($0) }) }
        if let outputs { o["outputs"] = .array(outputs.map(\.json)) }
        if let gpuSeconds { o["gpu_s"] = .number(gpuSeconds) }
        return .object(o)
    }

    init(_ v: JSONValue) throws(ProviderError) {
        guard let id = v["prompt_id"]?.string, let workflow = v["workflow"]?.object else {
            throw ProviderError(.invalidRequest, "comfyui: the job reference has no prompt_id/workflow; it was not made by this plugin")
        }
        promptID = id
        self.workflow = workflow
        outputNodes = v["output_nodes"]?.array?.compactMap(\.string)
        resubmits = v["resubmits"]?.int ?? 0
        outputs = v["outputs"]?.array?.compactMap(ComfyUIJobStatus.Image.init)
        gpuSeconds = v["gpu_s"]?.number
    }
}
