import Foundation
import Catalog
import HTTPServer
import ImagegenCore

/// `GET /v1/events`: server-sent events of job and image changes, resumable with
/// `Last-Event-ID` (or `?after=N`).
///
/// - **Held open** (the default): the stream delivers each event as it is published, with a
///   comment line every 15 s (`eventHeartbeatMilliseconds`) so proxies and clients see it is alive. It ends
///   when the client leaves, the client falls more than the server's stream buffer behind, the
///   server shuts down, or after `eventStreamLifetimeSeconds`, when the client reconnects with
///   its last id (so who may see what is decided again: a disabled account stops hearing).
///   At most `EventStreamSlots.limit` streams at once, so streams cannot take every connection.
/// - **Batch** (`?wait=S`, 0…30): one batch of the events after the client's id, or whatever
///   arrives within S seconds; the response ends and the client asks again.
extension ServerAPI {
    static let eventRetryMilliseconds = 1000
    static let eventStreamLifetimeSeconds = 1800.0

    func streamEvents(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            var after = events.latestID
            if let text = request.headers["Last-Event-ID"] ?? request.filter("after") {
                guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                    throw APIError.invalidRequest("Last-Event-ID (or after) must be a whole number from an earlier event's id, got \"\(text.prefix(40))\"")
                }
                after = n
            }
            let hidden = Set(hiddenCategories())
            var response: HTTPResponse
            if let text = request.filter("wait") {
                guard let wait = Double(text), (0...30).contains(wait) else {
                    throw APIError.invalidRequest("wait must be 0 to 30 seconds, got \"\(text.prefix(40))\"")
                }
                let batch = await events.wait(after: after, timeout: isDraining ? 0 : wait)
                let text = "retry: \(ServerAPI.eventRetryMilliseconds)\n\n" + ServerAPI.eventText(batch, hidden: hidden)
                response = HTTPResponse(status: .ok, body: Array(text.utf8))
            } else {
                guard !isDraining else {
                    throw APIError(.serviceUnavailable, "shutting_down", "the server is shutting down; reconnect to another one or retry shortly",
                                   retryAfterSeconds: 5)
                }
                guard eventStreams.acquire() else {
                    throw APIError(.serviceUnavailable, "too_many_streams",
                                   "\(eventStreams.limit) event streams are open already; retry shortly, or ask with ?wait=25 for one batch at a time",
                                   retryAfterSeconds: 5)
                }
                response = HTTPResponse(status: .ok, stream: HTTPBodyStream { [self, after] writer in
                    defer { eventStreams.release() }
                    await pumpEvents(after: after, hidden: hidden, to: writer)
                })
                // Tells buffering proxies (nginx) to pass each event on at once.
                response.headers["X-Accel-Buffering"] = "no"
            }
            response.headers["Content-Type"] = "text/event-stream; charset=utf-8"
            response.headers["Cache-Control"] = "no-store"
            return response
        }
    }

    /// Writes events to a held-open stream as they are published, a heartbeat comment when
    /// there are none, until the stream is over (see the type's comment).
    func pumpEvents(after: Int, hidden: Set<String>, to writer: HTTPStreamWriter) async {
        guard writer.write("retry: \(ServerAPI.eventRetryMilliseconds)\n: stream open\n\n") else { return }
        var last = after
        let end = ContinuousClock.now + .seconds(ServerAPI.eventStreamLifetimeSeconds)
        while !Task.isCancelled && !isDraining && ContinuousClock.now < end {
            let batch = await events.wait(after: last, timeout: Double(eventHeartbeatMilliseconds.load(ordering: .relaxed)) / 1000)
            guard !Task.isCancelled, writer.isOpen else { return }
            let text = batch.events.isEmpty && !batch.missed && batch.latest <= last
                ? ": heartbeat\n\n" : ServerAPI.eventText(batch, hidden: hidden)
            last = batch.latest
            guard writer.write(text) else { return }
        }
    }

    /// A batch as SSE text: a `reset` when the client's view is stale, the events the caller may
    /// see, and the newest id.
    static func eventText(_ batch: EventHub.Batch, hidden: Set<String>) -> String {
        var text = ""
        if batch.missed {
            // The client's view is stale (events dropped, or a restarted server): reload.
            text += "id: \(batch.latest)\nevent: reset\ndata: {}\n\n"
        }
        for event in visibleEvents(batch.events, hidden: hidden) {
            text += "id: \(event.id)\nevent: \(event.type)\ndata: \(String(decoding: ServerAPI.eventJSON(event), as: UTF8.self))\n\n"
        }
        // An id with no data moves the client's last id past events this caller may not see.
        text += "id: \(batch.latest)\n\n"
        return text
    }

    /// The events the caller may see: image events of a category hidden from them (adult ones,
    /// for someone not verified as an adult), or of an unknown category, are left out.
    static func visibleEvents(_ list: [ServerEvent], hidden: Set<String>) -> [ServerEvent] {
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
        // `status` says whether the output check quarantined it: a consumer must not publish those.
        events.publish("image.stored", ["image_id": record.imageID, "job_id": record.jobID ?? "", "category": record.category,
                                        "variant": record.variant, "status": record.status])
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
