import Foundation
import HTTPServer
import ImagegenCore
import Pipeline

/// `POST /v1/images/{id}/vary` and `/upscale`: a stored image becomes the source of a new
/// version (`parent_id`), judged by the content policy like a generation of its category.
extension ServerAPI {
    /// `{"model": "…", "strength": 0.4, "wait": 30}` / `{"model": "…", "scale": 2}`; all optional.
    struct DerivedRequest: Decodable {
        var model: String?
        var strength: Double?
        var scale: Int?
        var wait: Double?
    }

    func deriveImage(_ request: HTTPRequest, kind: GenerationKind) async -> HTTPResponse {
        await answer {
            guard !isDraining else {
                throw APIError(.serviceUnavailable, "shutting_down", "imagegen serve is shutting down; retry against the restarted server")
            }
            let id = request.pathParameter("id") ?? ""
            let body = request.body.isEmpty ? DerivedRequest() : try request.decodeJSON(DerivedRequest.self)
            if kind == .vary, body.scale != nil { throw APIError.invalidRequest("scale is for /upscale; /vary takes strength") }
            if kind == .upscale, body.strength != nil { throw APIError.invalidRequest("strength is for /vary; /upscale takes scale") }
            let wait = body.wait ?? 0
            guard (0...GenerationSubmission.maximumWait).contains(wait) else {
                throw APIError.invalidRequest("wait must be within 0...\(Int(GenerationSubmission.maximumWait)) seconds; follow longer jobs with GET /v1/jobs/{id}")
            }
            let jobs = try service.enqueueDerived(from: id, kind: kind, model: body.model, strength: body.strength,
                                                  scale: body.scale, idempotencyKey: try ServerAPI.idempotencyKey(request))
            await runner.wake()
            return try await generationAnswer(jobs, wait: wait, status: .accepted)
        }
    }
}
