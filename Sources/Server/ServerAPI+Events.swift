import Foundation
import Catalog
import HTTPServer
import ImagegenCore

/// `GET /v1/events`: server-sent events of job and image changes. Each answer is one batch:
/// the events after the client's `Last-Event-ID` (or `?after=N`), or, when there are none yet,
/// whatever arrives within `wait` seconds (default 25). The body ends and the browser's
/// `EventSource` reconnects after `retry` with the last id it saw, so no event is lost between
/// batches and the HTTP server needs no held-open streams.
extension ServerAPI {
    static let eventRetryMilliseconds = 1000

    func streamEvents(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            var after = events.latestID
            if let text = request.headers["Last-Event-ID"] ?? request.filter("after") {
                guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                    throw APIError.invalidRequest("Last-Event-ID (or after) must be a whole number from an earlier event's id, got \"\(text.prefix(40))\"")
                }
                after = n
            }
            var wait = 25.0
            if let text = request.filter("wait") {
                guard let n = Double(text), (0...30).contains(n) else {
                    throw APIError.invalidRequest("wait must be 0 to 30 seconds, got \"\(text.prefix(40))\"")
                }
                wait = n
            }
            if isDraining { wait = 0 }
            let batch = await events.wait(after: after, timeout: wait)
            var text = "retry: \(ServerAPI.eventRetryMilliseconds)\n\n"
            if batch.missed {
                // The client's view is stale (events dropped, or a restarted server): reload.
                text += "id: \(batch.latest)\nevent: reset\ndata: {}\n\n"
            }
            for event in visibleEvents(batch.events) {
                text += "id: \(event.id)\nevent: \(event.type)\ndata: \(String(decoding: ServerAPI.eventJSON(event), as: UTF8.self))\n\n"
            }
            // An id with no data moves the browser's last id past events this caller may not see.
            text += "id: \(batch.latest)\n\n"
            var response = HTTPResponse(status: .ok, headers: ["Content-Type": "text/event-stream; charset=utf-8"], body: Array(text.utf8))
            response.headers["Cache-Control"] = "no-store"
            return response
        }
    }

    /// The events the caller may see: image events of a category hidden from them (adult ones,
    /// for someone not verified as an adult), or of an unknown category, are left out.
    func visibleEvents(_ list: [ServerEvent]) -> [ServerEvent] {
        let hidden = hiddenCategories()
        guard !hidden.isEmpty else { return list }
        return list.filter { event in
            guard event.type.hasPrefix("image.") else { return true }
            guard let category = event.category else { return false }
            return !hidden.contains(category)
        }
    }

    /// One event as the SSE `data:` line and the webhook body: `{"id", "type", "time", "data"}`.
    static func eventJSON(_ event: ServerEvent) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(event))) ?? Array("{}".utf8)  // try?: four strings, a number and a date always encode; an empty object is the safe fallback
    }

    /// Announces a job's state (`job.queued`, `job.finished`, `job.cancel_requested`).
    func announce(_ type: String, job: Job) {
        var data = ["job_id": job.id, "batch_id": job.batchID, "state": job.state.rawValue, "model": job.model, "category": job.category]
        if let code = job.errorCode { data["error_code"] = code }
        events.publish(type, data)
    }

    /// Announces a stored image (`image.stored`).
    func announceStored(_ record: ImageRecord) {
        events.publish("image.stored", ["image_id": record.imageID, "job_id": record.jobID ?? "", "category": record.category,
                                        "variant": record.variant])
    }

    /// Called by the runner for each job it finished: reads the job's final state and announces it.
    func jobFinished(_ id: String) {
        do {
            guard let job = try catalog.job(id) else { return }
            announce("job.finished", job: job)
        } catch {
            runtime.log.error("API: cannot read job \(id) to announce it: \(error)")
        }
    }
}
