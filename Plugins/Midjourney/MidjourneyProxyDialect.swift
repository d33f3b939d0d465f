import Foundation
import PluginKit

/// The midjourney-proxy task protocol (novicezk/midjourney-proxy and the many forks and
/// gateways that copy its shape): `POST {base}/mj/submit/imagine` answers
/// `{code, description, result: <task id>}`, `GET {base}/mj/task/{id}/fetch` returns the task
/// with `status` NOT_START | SUBMITTED | IN_PROGRESS | FAILURE | SUCCESS (forks add MODAL,
/// CANCEL), `progress` "45%", `imageUrl` (the grid) and, in newer forks, `imageUrls`.
struct MidjourneyProxyDialect: MidjourneyDialect {
    let client: ProviderClient
    /// Cancel route, with `{id}`; trueai-org's fork serves POST /mj/task/{id}/cancel. nil: none.
    let cancelPath: String?
    let pollInterval: Int
    var name: String { "midjourney-proxy" }

    func submit(prompt: String, jobID: String) throws(ProviderError) -> MidjourneyTask {
        try post("/mj/submit/imagine", ["prompt": .string(prompt), "state": .string(jobID)], purpose: "submit an /imagine task")
    }

    /// `POST /mj/submit/change {taskId, action, index}`: U1–U4 / V1–V4 on a finished task.
    func change(_ taskID: String, action: String, index: Int, jobID: String) throws(ProviderError) -> MidjourneyTask {
        try post("/mj/submit/change", ["taskId": .string(taskID), "action": .string(action), "index": .number(Double(index)),
                                       "state": .string(jobID)],
                 purpose: "submit \(action.lowercased()) \(index) of task \(taskID)")
    }

    /// Both submit routes answer `{code, description, result, properties}`.
    func post(_ path: String, _ body: JSONValue, purpose: String) throws(ProviderError) -> MidjourneyTask {
        let response = try client.send("POST", path, intent: .create, purpose: purpose,
                                       headers: [("Content-Type", "application/json")], body: [UInt8](body.encoded()))
        try client.check(response, intent: .create, purpose: purpose)
        let value = try client.json(response, intent: .create, purpose: purpose)
        let code = value["code"]?.int ?? -1
        let description = value["description"]?.string ?? ""
        let properties = value["properties"]
        switch code {
        case 1, 21, 22:
            // 1 submitted, 21 already exists (same task), 22 accepted and queued.
            guard let id = value["result"]?.string ?? value["result"]?.number.map({ String(Int64($0)) }), !id.isEmpty else {
                throw ProviderError(.timeout, "the Midjourney proxy accepted the task (code \(code)) but gave no task id; "
                                    + "it may run anyway, so it is not sent again automatically")
            }
            return MidjourneyTask(id: id, phase: .queued, progress: nil, imageURLs: [], gridURL: nil,
                                  status: code == 22 ? "QUEUED (position \(properties?["numberOfQueues"]?.int ?? 0))" : "SUBMITTED")
        case 23:
            throw ProviderError(.rateLimited, "the Midjourney proxy's queue is full (code 23: \(description)); retry later")
        case 24:
            let word = properties?["bannedWord"]?.string.map { " \"\($0)\"" } ?? ""
            throw ProviderError(.contentFiltered, "Midjourney refuses the prompt: it contains the banned word\(word) (code 24)")
        case 4:
            throw ProviderError(.invalidRequest, "the Midjourney proxy rejected the task as invalid (code 4: \(description))")
        case 3:
            throw ProviderError(.notFound, "the Midjourney proxy does not know the task to act on (code 3: \(description)); "
                                + "a restarted proxy forgets its tasks")
        default:
            throw ProviderError(.provider, "the Midjourney proxy did not take the task (code \(code): \(description))")
        }
    }

    func read(_ taskID: String) throws(ProviderError) -> MidjourneyTask {
        let purpose = "read task \(taskID)"
        let response = try client.send("GET", "/mj/task/\(Self.escape(taskID))/fetch", intent: .read, purpose: purpose)
        if response.status == 404 || (response.status == 200 && (response.body.isEmpty || response.text == "null")) {
            throw ProviderError(.notFound, "the Midjourney proxy does not know task \(taskID) (a restarted proxy forgets its tasks)")
        }
        try client.check(response, intent: .read, purpose: purpose)
        let v = try client.json(response, intent: .read, purpose: purpose)
        let status = v["status"]?.string ?? ""
        let phase: MidjourneyTask.Phase
        switch status {
        case "NOT_START", "SUBMITTED", "PENDING": phase = .queued
        case "IN_PROGRESS", "MODAL": phase = .running
        case "SUCCESS": phase = .succeeded
        case "CANCEL": phase = .cancelled
        case "FAILURE":
            // trueai-org's fork cancels by failing the task with "取消任务" ("task cancelled").
            let reason = v["failReason"]?.string ?? ""
            phase = reason.contains("取消") || reason.lowercased().contains("cancel")
                ? .cancelled : .failed(MidjourneyTask.classifyFailure(reason, task: taskID))
        default: phase = .running
        }
        let singles: [String] = (v["imageUrls"]?.array ?? []).compactMap { $0.string ?? $0["url"]?.string }
        return MidjourneyTask(id: taskID, phase: phase, progress: MidjourneyTask.progress(v["progress"]),
                              imageURLs: singles, gridURL: v["imageUrl"]?.string, status: status)
    }

    func cancel(_ taskID: String) throws(ProviderError) {
        guard let cancelPath else { throw ProviderError(.unsupported, "this Midjourney proxy has no cancel route configured") }
        let purpose = "cancel task \(taskID)"
        let response = try client.send("POST", cancelPath.replacingOccurrences(of: "{id}", with: Self.escape(taskID)),
                                       intent: .cancel, purpose: purpose)
        if response.status == 404 || response.status == 405 {
            throw ProviderError(.unsupported, "this Midjourney proxy has no cancel route (HTTP \(response.status)); the task runs out at the proxy")
        }
        try client.check(response, intent: .cancel, purpose: purpose)
    }

    static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }
}
