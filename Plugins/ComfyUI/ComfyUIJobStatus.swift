import PluginKit

/// A ComfyUI job as the server reports it, from `GET /api/jobs/{id}` or, on servers older
/// than that route, from `/queue` + `/history/{id}` read the way `comfy_execution/jobs.py`
/// reads them (history `status_str` plus the `execution_interrupted` message → cancelled).
struct ComfyUIJobStatus: Sendable {
    enum Status: String, Sendable { case pending, inProgress = "in_progress", completed, failed, cancelled }

    struct Image: Sendable, Equatable {
        var filename: String
        var subfolder: String
        var type: String

        var json: JSONValue { ["filename": .string(filename), "subfolder": .string(subfolder), "type": .string(type)] }

        init(filename: String, subfolder: String, type: String) {
            self.filename = filename
            self.subfolder = subfolder
            self.type = type
        }

        init?(_ v: JSONValue) {
            guard let f = v["filename"]?.string else { return nil }
            self.init(filename: f, subfolder: v["subfolder"]?.string ?? "", type: v["type"]?.string ?? "output")
        }
    }

    var status: Status
    /// Milliseconds since the epoch, from the server's execution messages.
    var executionStart: Double?
    var executionEnd: Double?
    /// `execution_error` payload: node_id, node_type, exception_type, exception_message.
    var error: JSONValue?
    /// node id → the images it saved.
    var outputs: [String: [Image]] = [:]

    /// GPU time: from the start of execution to its end, when both are known.
    var gpuSeconds: Double? {
        guard let s = executionStart, let e = executionEnd, e >= s else { return nil }
        return (e - s) / 1000
    }

    /// From the `/api/jobs/{id}` body.
    init?(job v: JSONValue) {
        guard let s = v["status"]?.string, let status = Status(rawValue: s) else { return nil }
        self.status = status
        executionStart = v["execution_start_time"]?.number
        executionEnd = v["execution_end_time"]?.number
        error = v["execution_error"].flatMap { $0.isNull ? nil : $0 }
        outputs = Self.images(v["outputs"])
    }

    /// From one `/history/{id}` entry (legacy servers).
    init(history item: JSONValue) {
        var interrupted = false
        for entry in item["status"]?["messages"]?.array ?? [] {
            guard let name = entry[0]?.string, let data = entry[1] else { continue }
            switch name {
            case "execution_start": executionStart = data["timestamp"]?.number
            case "execution_success": executionEnd = data["timestamp"]?.number
            case "execution_error": executionEnd = data["timestamp"]?.number; error = data
            case "execution_interrupted": executionEnd = data["timestamp"]?.number; interrupted = true
            default: break
            }
        }
        switch item["status"]?["status_str"]?.string {
        case "error": status = interrupted ? .cancelled : .failed
        default: status = .completed
        }
        outputs = Self.images(item["outputs"])
    }

    init(queued running: Bool) {
        status = running ? .inProgress : .pending
    }

    static func images(_ outputs: JSONValue?) -> [String: [Image]] {
        var out: [String: [Image]] = [:]
        for (node, value) in outputs?.object ?? [:] {
            let images = (value["images"]?.array ?? []).compactMap(Image.init)
            if !images.isEmpty { out[node] = images }
        }
        return out
    }

    /// The job's result images in a stable order: the nodes named (or all), saved outputs
    /// before temporary previews (a PreviewImage node writes `temp` files that ComfyUI deletes).
    func resultImages(nodes: [String]?) -> [Image] {
        let ids = (nodes ?? Array(outputs.keys)).sorted(by: ComfyUIWorkflow.nodeOrder)
        let all = ids.flatMap { outputs[$0] ?? [] }
        let saved = all.filter { $0.type == "output" }
        return saved.isEmpty ? all : saved
    }

    /// A one-line account of an execution error for the job record.
    var errorDescription: String {
        guard let e = error else { return "ComfyUI reported the job as failed" }
        var parts: [String] = []
        if let node = e["node_id"]?.string ?? e["node_id"]?.int.map(String.init) {
            parts.append("node \(node)" + (e["node_type"]?.string.map { " (\($0))" } ?? ""))
        }
        let exception = [e["exception_type"]?.string, e["exception_message"]?.string].compactMap { $0 }.joined(separator: ": ")
        if !exception.isEmpty { parts.append(exception.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return "ComfyUI failed while executing the workflow: " + (parts.isEmpty ? "no detail given" : parts.joined(separator: ": "))
    }
}
