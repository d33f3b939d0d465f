import Foundation
import ImagegenJSON

/// `POST /v1/generations`: validate, price, reserve and queue (one job per variation); with
/// `wait`, block until the jobs are final or the wait is over.
extension ServerAPI {
    /// The answer of a generation request: the batch, its jobs and the images stored so far.
    struct GenerationBody: Encodable {
        var batchID: String
        /// "finished" when every job is final (200), else "pending" (202).
        var status: String
        var jobs: [Job]
        var images: [ImageRecord]
        enum CodingKeys: String, CodingKey {
            case status, jobs, images
            case batchID = "batch_id"
        }
    }

    func createGeneration(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            guard !isDraining else {
                throw APIError(.serviceUnavailable, "shutting_down", "imagegen serve is shutting down; retry against the restarted server")
            }
            let body = try request.decodeJSON(JSONValue.self)
            let submission = try GenerationSubmission(body, now: service.clock())
            if let template = submission.template {
                // TODO(templates): the lead is wiring templates into GenerationService; when its
                // API lands on main, expand `template` into requests here instead of refusing.
                throw APIError(.notImplemented, "not_implemented",
                               "templates are not wired into the HTTP API yet (template \"\(template)\"); send a prompt and model instead")
            }
            let jobs = try service.enqueue(submission.request)
            await runner.wake()
            return try await generationAnswer(jobs, wait: submission.wait, status: .accepted)
        }
    }

    /// The jobs as they are now (after waiting up to `wait` seconds for them to finish), with
    /// their images: 200 when all are final, `status` (202) otherwise.
    func generationAnswer(_ jobs: [Job], wait: Double, status: HTTPStatus) async throws -> HTTPResponse {
        let ids = jobs.map(\.id)
        if wait > 0 { await completions.wait(for: ids, timeout: wait) }
        let byID = Dictionary(try catalog.jobs(ids: ids).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let current = jobs.map { byID[$0.id] ?? $0 }
        let finished = current.allSatisfy { $0.state.isTerminal }
        var images: [ImageRecord] = []
        for job in current where job.state == .succeeded {
            images += try catalog.images(ImageFilter(jobID: job.id)).sorted { $0.imageID < $1.imageID }
        }
        let body = GenerationBody(batchID: jobs.first?.batchID ?? "", status: finished ? "finished" : "pending",
                                  jobs: current, images: images)
        return APIEncoding.json(body, status: finished ? .ok : status)
    }
}
