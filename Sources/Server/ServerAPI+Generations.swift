import Foundation
import Catalog
import ImagegenJSON
import HTTPServer
import ImagegenCore

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
            let key = try ServerAPI.idempotencyKey(request)
            let jobs: [Job]
            switch submission.source {
            case .prompt(let r): jobs = try service.enqueue(r, idempotencyKey: key)
            case .template(let r): jobs = try service.enqueue(template: r, templates: templates, idempotencyKey: key)
            }
            for job in jobs { announce("job.queued", job: job) }
            await runner.wake()
            return try await generationAnswer(jobs, wait: submission.wait, status: .accepted)
        }
    }

    /// `Idempotency-Key`: a client that retries a request after a lost answer gets the jobs
    /// the first attempt queued instead of a second batch (and a second bill).
    static func idempotencyKey(_ request: HTTPRequest) throws(APIError) -> String? {
        guard let key = request.headers["Idempotency-Key"] else { return nil }
        guard (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalidRequest("Idempotency-Key must be 1 to 200 visible ASCII characters")
        }
        return "api:" + key
    }

    /// The jobs as they are now (after waiting up to `wait` seconds for them to finish), with
    /// their images: 200 when all are final, `status` (202) otherwise.
    func generationAnswer(_ jobs: [Job], wait: Double, status: HTTPStatus) async throws -> HTTPResponse {
        let ids = jobs.map(\.id)
        if wait > 0 { await completions.wait(for: ids, timeout: wait) }
        let byID = Dictionary(try catalog.jobs(ids: ids).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let current = jobs.map { byID[$0.id] ?? $0 }
        let finished = current.allSatisfy { $0.state.isTerminal }
        let images = try catalog.originalImages(ofJobs: current.filter { $0.state == .succeeded }.map(\.id))
        let body = GenerationBody(batchID: jobs.first?.batchID ?? "", status: finished ? "finished" : "pending",
                                  jobs: current, images: images)
        return APIEncoding.json(body, status: finished ? .ok : status)
    }
}
