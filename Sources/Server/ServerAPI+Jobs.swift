import Foundation
import Catalog
import HTTPServer
import ImagegenCore

/// `GET /v1/jobs`, `GET /v1/jobs/{id}`, `DELETE /v1/jobs/{id}`.
extension ServerAPI {
    /// A job with its images: the job's fields, plus `images`.
    struct JobBody: Encodable {
        var job: Job
        var images: [ImageRecord]
        enum ImagesKey: String, CodingKey { case images }
        func encode(to encoder: any Encoder) throws {
            try job.encode(to: encoder)
            var c = encoder.container(keyedBy: ImagesKey.self)
            try c.encode(images, forKey: .images)
        }
    }

    func job(_ request: HTTPRequest) throws -> Job {
        let id = request.pathParameter("id") ?? ""
        guard let job = try catalog.job(id) else {
            throw APIError.notFound("no job \(id); job ids come from POST /v1/generations (see GET /v1/jobs)")
        }
        return job
    }

    func showJob(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let job = try job(request)
            let images = job.state == .succeeded ? try catalog.originalImages(ofJobs: [job.id]) : []
            return APIEncoding.json(JobBody(job: job, images: images))
        }
    }

    /// Cancels a job: a queued one at once, a running one at the runner's next step (the
    /// provider is asked to stop). 409 for a job that already finished otherwise.
    func cancelJob(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let existing = try job(request)
            if existing.state.isTerminal && existing.state != .cancelled {
                throw APIError(.conflict, "job_finished", "job \(existing.id) already \(existing.state.rawValue); there is nothing to cancel")
            }
            guard let job = try catalog.requestCancel(existing.id, now: service.clock()) else {
                throw APIError.notFound("no job \(existing.id)")
            }
            announce(job.state == .cancelled ? "job.finished" : "job.cancel_requested", job: job)
            await runner.wake()
            return APIEncoding.json(JobBody(job: job, images: []))
        }
    }

    struct JobsBody: Encodable { var jobs: [Job] }

    /// `GET /v1/jobs?state=&batch=&limit=`: newest first.
    func listJobs(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            var state: JobState?
            if let s = request.filter("state") {
                guard let st = JobState(rawValue: s) else {
                    throw APIError.invalidRequest("state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state = st
            }
            let limit = try ServerAPI.limit(request)
            return APIEncoding.json(JobsBody(jobs: try catalog.jobs(state: state, batch: request.filter("batch"), limit: limit)))
        }
    }

    static func limit(_ request: HTTPRequest, default value: Int = 100) throws(APIError) -> Int {
        guard let text = request.filter("limit") else { return value }
        guard let n = Int(text), (1...1000).contains(n) else { throw .invalidRequest("limit must be a whole number within 1...1000") }
        return n
    }
}
