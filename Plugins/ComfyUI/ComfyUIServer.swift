import Foundation
import PluginKit

/// The ComfyUI HTTP routes the plugin uses, with each answer classified. ComfyUI has no auth
/// of its own; when it sits behind a proxy or a login node that wants one, the secret holds
/// the whole `Authorization` value and travels as `${secret:NAME}`.
struct ComfyUIServer: Sendable {
    let client: ProviderClient
    let clientID: String

    /// The auth header, only when the secret is set (most local servers need none).
    var authHeaders: [(String, String)] {
        client.host.hasSecret(client.auth.secretName) ? [client.authHeader] : []
    }

    func send(_ method: String, _ path: String, intent: ProviderClient.Intent, purpose: String, json: JSONValue? = nil,
              timeoutMilliseconds: Int? = nil) throws(ProviderError) -> HostServices.HTTPResponse {
        var headers = authHeaders
        if json != nil { headers.append(("Content-Type", "application/json")) }
        let response = try client.send(method, path, intent: intent, purpose: purpose, headers: headers,
                                       body: json.map { [UInt8]($0.encoded()) }, authenticated: false,
                                       timeoutMilliseconds: timeoutMilliseconds)
        if response.status == 401 || response.status == 403 {
            var e = client.error(for: response, intent: intent, purpose: purpose)
            if !client.host.hasSecret(client.auth.secretName) {
                e.message = "ComfyUI answered HTTP \(response.status) to the request to \(purpose): it wants credentials "
                    + "(a proxy or login node in front of it). Set \(client.auth.secretName) to the Authorization header value "
                    + "it expects, e.g. \"Bearer <token>\" or \"Basic <base64 of user:pass>\""
            }
            throw e
        }
        return response
    }

    /// Queues `graph` under `promptID`. A 400 is the server's validation verdict
    /// (`invalid_request`, with every node error spelled out); no complete answer is `timeout`.
    func queue(_ graph: [String: JSONValue], promptID: String) throws(ProviderError) -> (promptID: String, nodeErrors: JSONValue?) {
        let purpose = "queue the workflow as prompt \(promptID)"
        let body: JSONValue = ["prompt": .object(graph), "prompt_id": .string(promptID), "client_id": .string(clientID)]
        let response = try send("POST", "/prompt", intent: .create, purpose: purpose, json: body)
        if response.status == 400 {
            throw ProviderError(.invalidRequest, "ComfyUI refused the workflow (HTTP 400): " + Self.validationMessage(response.json))
        }
        try client.check(response, intent: .create, purpose: purpose)
        let value = try client.json(response, intent: .create, purpose: purpose)
        guard let id = value["prompt_id"]?.string else {
            throw ProviderError(.timeout, "ComfyUI answered the request to \(purpose) without a prompt_id; the job may be queued, "
                                + "so it is not sent again automatically")
        }
        let errors = value["node_errors"].flatMap { ($0.object?.isEmpty ?? true) ? nil : $0 }
        return (id, errors)
    }

    /// `{"error": {type, message, details}, "node_errors": {id: {errors: [...], class_type}}}`
    /// as one line: what is wrong, in which node, with which value.
    static func validationMessage(_ body: JSONValue?) -> String {
        guard let body else { return "no detail given" }
        var parts: [String] = []
        if let e = body["error"] {
            let head = [e["type"]?.string, e["message"]?.string].compactMap { $0 }.joined(separator: ": ")
            let details = e["details"]?.string ?? ""
            parts.append(details.isEmpty ? head : "\(head) (\(details))")
        }
        for (node, value) in (body["node_errors"]?.object ?? [:]).sorted(by: { ComfyUIWorkflow.nodeOrder($0.key, $1.key) }) {
            let errors = (value["errors"]?.array ?? []).map { err in
                [err["type"]?.string, err["details"]?.string ?? err["message"]?.string].compactMap { $0 }.joined(separator: ": ")
            }
            parts.append("node \(node)" + (value["class_type"]?.string.map { " (\($0))" } ?? "") + ": " + errors.joined(separator: "; "))
        }
        return parts.isEmpty ? String(String(decoding: body.encoded(), as: UTF8.self).prefix(300)) : parts.joined(separator: "; ")
    }

    /// Where the job is: pending, running, finished (with outputs), or nil when the server has
    /// no trace of it at all. The queue is read before the history: ComfyUI moves a job from
    /// one to the other under one lock, so a job absent from both in that order is truly gone.
    func lookup(_ promptID: String) throws(ProviderError) -> ComfyUIJobStatus? {
        let purpose = "read the state of prompt \(promptID)"
        let response = try send("GET", "/api/jobs/\(promptID)", intent: .read, purpose: purpose)
        if (200...299).contains(response.status) {
            guard let value = response.json, let job = ComfyUIJobStatus(job: value) else {
                throw ProviderError(.provider, "ComfyUI answered the request to \(purpose) with a body that is not a job "
                                    + "(\(response.body.count) bytes)")
            }
            return job
        }
        if response.status == 404, response.json?["error"] != nil { return nil } // the route exists: the job does not
        if response.status != 404 { throw client.error(for: response, intent: .read, purpose: purpose) }
        return try legacyLookup(promptID)
    }

    /// Servers older than `/api/jobs` (it came with 2025's job API).
    func legacyLookup(_ promptID: String) throws(ProviderError) -> ComfyUIJobStatus? {
        let queuePurpose = "read the queue"
        let q = try send("GET", "/queue", intent: .read, purpose: queuePurpose)
        try client.check(q, intent: .read, purpose: queuePurpose)
        let queue = try client.json(q, intent: .read, purpose: queuePurpose)
        for (key, running) in [("queue_running", true), ("queue_pending", false)] {
            if (queue[key]?.array ?? []).contains(where: { $0[1]?.string == promptID }) { return ComfyUIJobStatus(queued: running) }
        }
        let historyPurpose = "read the history of prompt \(promptID)"
        let h = try send("GET", "/history/\(promptID)", intent: .read, purpose: historyPurpose)
        try client.check(h, intent: .read, purpose: historyPurpose)
        let history = try client.json(h, intent: .read, purpose: historyPurpose)
        return history[promptID].map { ComfyUIJobStatus(history: $0) }
    }

    /// The bytes of one saved image.
    func view(_ image: ComfyUIJobStatus.Image) throws(ProviderError) -> [UInt8] {
        var q = URLComponents()
        q.queryItems = [URLQueryItem(name: "filename", value: image.filename), URLQueryItem(name: "subfolder", value: image.subfolder),
                        URLQueryItem(name: "type", value: image.type)]
        let purpose = "download \(image.filename)"
        let response = try send("GET", "/view?" + (q.percentEncodedQuery ?? ""), intent: .read, purpose: purpose)
        if response.status == 404 {
            throw ProviderError(.notFound, "ComfyUI no longer has \(image.filename) (deleted from its \(image.type) folder?)")
        }
        try client.check(response, intent: .read, purpose: purpose)
        return response.body
    }

    /// Dequeue-then-interrupt, as ComfyUI's own cancel does: a pending job is removed, a
    /// running one is interrupted (the targeted interrupt only fires when this prompt is the
    /// one running, so another client's job is never stopped).
    func cancel(_ promptID: String) throws(ProviderError) {
        let dequeue = try send("POST", "/queue", intent: .cancel, purpose: "remove prompt \(promptID) from the queue",
                               json: ["delete": [.string(promptID)]])
        try client.check(dequeue, intent: .cancel, purpose: "remove prompt \(promptID) from the queue")
        let interrupt = try send("POST", "/interrupt", intent: .cancel, purpose: "interrupt prompt \(promptID)",
                                 json: ["prompt_id": .string(promptID)])
        try client.check(interrupt, intent: .cancel, purpose: "interrupt prompt \(promptID)")
    }
}
