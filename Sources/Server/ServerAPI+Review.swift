import Foundation
import Catalog
import HTTPServer
import ImagegenCore
import Security

/// `POST /v1/images/{id}/approve`, `POST /v1/images/{id}/reject`, `POST /v1/images/review`
/// (bulk): review decisions of originals, each audited under the caller; `POST /v1/images/{id}/release`.
extension ServerAPI {
    struct RejectRequest: Decodable { var reason: String }
    struct BulkReviewRequest: Decodable { var ids: [String]; var decision: String; var reason: String? }
    struct ReviewsBody: Encodable { var reviews: [ImageReview] }

    func approveImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let reviews = try decide([request.pathParameter("id") ?? ""], .approve)
            return APIEncoding.json(reviews[0])
        }
    }

    func rejectImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let body = try request.decodeJSON(RejectRequest.self)
            let reviews = try decide([request.pathParameter("id") ?? ""], .reject(reason: body.reason))
            return APIEncoding.json(reviews[0])
        }
    }

    /// `POST /v1/images/{id}/release` `{"reason": "…"}`: a reviewer releases an image the output
    /// check quarantined (never a hard-line one); audited with the caller and the reason.
    func releaseQuarantinedImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let id = request.pathParameter("id") ?? ""
            let body = try request.decodeJSON(RejectRequest.self)
            try ensureVisible([id])
            let service = self.service
            // Its `image.stored` event goes out again, now `completed`.
            let record = try await BlockingWork.run { try service.releaseQuarantine(imageID: id, reason: body.reason) }
            return APIEncoding.json(record)
        }
    }

    /// `{"ids": [...], "decision": "approve" | "reject", "reason": "…"}`: all or none.
    func reviewImages(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let body = try request.decodeJSON(BulkReviewRequest.self)
            let decision: ReviewDecision
            switch body.decision {
            case "approve": decision = .approve
            case "reject": decision = .reject(reason: body.reason ?? "")
            default: throw APIError.invalidRequest("decision must be \"approve\" or \"reject\", got \"\(body.decision.prefix(40))\"")
            }
            return APIEncoding.json(ReviewsBody(reviews: try decide(body.ids, decision)))
        }
    }

    /// Records the decision (all or none), then audits and announces each image.
    func decide(_ ids: [String], _ decision: ReviewDecision) throws -> [ImageReview] {
        try ensureVisible(ids)
        let caller = Caller.effective
        let reviews = try catalog.review(imageIDs: ids, decision: decision, reviewer: caller.principal, now: service.clock())
        for review in reviews {
            switch decision {
            case .approve:
                runtime.security.audit.record(.imageApproval, subject: review.imageID)
            case .reject(let reason):
                runtime.security.audit.record(.imageRejection, subject: review.imageID, details: ["reason": reason])
            }
        }
        reviewed(reviews)
        return reviews
    }

    /// Announces each decision (`image.reviewed`).
    func reviewed(_ reviews: [ImageReview]) {
        for review in reviews {
            var data = ["image_id": review.imageID, "state": review.state.rawValue, "reviewer": review.reviewer ?? ""]
            if let category = try? catalog.image(review.imageID)?.category { data["category"] = category } // try?: without a category the event is shown only to verified adults (see visibleEvents)
            events.publish("image.reviewed", data)
        }
    }

    /// Images the caller may not see are answered as unknown (404), never as forbidden.
    func ensureVisible(_ ids: [String]) throws {
        let hidden = hiddenCategories()
        guard !hidden.isEmpty else { return }
        for id in ids {
            if let record = try catalog.image(id), hidden.contains(record.category) {
                throw APIError.notFound("no image \(id); list them with GET /v1/images")
            }
        }
    }
}
