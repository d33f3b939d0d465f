import Foundation
import PluginKit

/// useapi.net's Midjourney API v3: `POST {base}/v3/midjourney/jobs/imagine {prompt, stream:
/// false}` creates a job, `GET {base}/v3/midjourney/jobs/{jobid}` reads it (status created |
/// started | progress | completed | failed | moderated; `response.imageUx` holds the four
/// single images, `response.attachments` the grid), `DELETE` frees a stuck job.
struct UseAPIDialect: MidjourneyDialect {
    let client: ProviderClient
    /// A configured Discord channel to use; nil lets useapi pick one with capacity.
    let channel: String?
    let pollInterval: Int
    var name: String { "useapi-v3" }

    func submit(prompt: String, jobID: String) throws(ProviderError) -> MidjourneyTask {
        let purpose = "submit an /imagine job"
        var body: [String: JSONValue] = ["prompt": .string(prompt), "stream": false, "replyRef": .string(jobID)]
        if let channel { body["channel"] = .string(channel) }
        let response = try client.send("POST", "/v3/midjourney/jobs/imagine", intent: .create, purpose: purpose,
                                       headers: [("Content-Type", "application/json")], body: [UInt8](JSONValue.object(body).encoded()))
        if !(200...299).contains(response.status) {
            throw client.error(for: response, intent: .create, purpose: purpose, override: { r, detail in
                // useapi answers a moderated prompt with 422 and says so in the error text.
                let text = (detail ?? "").lowercased()
                return r.status == 422 && (text.contains("moderat") || text.contains("banned")) ? .contentFiltered : nil
            })
        }
        let v = try client.json(response, intent: .create, purpose: purpose)
        guard let id = v["jobid"]?.string, !id.isEmpty else {
            throw ProviderError(.timeout, "useapi.net accepted the job but gave no jobid; it may run anyway, so it is not sent again automatically")
        }
        return Self.task(v, id: id)
    }

    func read(_ taskID: String) throws(ProviderError) -> MidjourneyTask {
        let purpose = "read job \(taskID)"
        let response = try client.send("GET", "/v3/midjourney/jobs/\(MidjourneyProxyDialect.escape(taskID))", intent: .read, purpose: purpose)
        try client.check(response, intent: .read, purpose: purpose)
        return Self.task(try client.json(response, intent: .read, purpose: purpose), id: taskID)
    }

    static func task(_ v: JSONValue, id: String) -> MidjourneyTask {
        let status = v["status"]?.string ?? ""
        let r = v["response"]
        let phase: MidjourneyTask.Phase
        switch status {
        case "created": phase = .queued
        case "started", "progress": phase = .running
        case "completed": phase = .succeeded
        case "moderated":
            phase = .failed(ProviderError(.contentFiltered, "Midjourney moderated job \(id): "
                                          + (v["error"]?.string ?? r?["content"]?.string ?? "the prompt or image was flagged")))
        case "failed":
            let reason = v["error"]?.string ?? r?["content"]?.string ?? ""
            phase = reason.lowercased().contains("cancel") ? .cancelled : .failed(MidjourneyTask.classifyFailure(reason, task: id))
        default: phase = .running
        }
        let singles = (r?["imageUx"]?.array ?? []).compactMap { $0["url"]?.string }
        return MidjourneyTask(id: id, phase: phase, progress: MidjourneyTask.progress(r?["progress_percent"]),
                              imageURLs: singles, gridURL: r?["attachments"]?[0]?["url"]?.string, status: status)
    }

    func cancel(_ taskID: String) throws(ProviderError) {
        let purpose = "cancel job \(taskID)"
        let response = try client.send("DELETE", "/v3/midjourney/jobs/\(MidjourneyProxyDialect.escape(taskID))", intent: .cancel, purpose: purpose)
        if response.status == 404 { throw ProviderError(.notFound, "useapi.net does not know job \(taskID)") }
        try client.check(response, intent: .cancel, purpose: purpose)
    }
}
