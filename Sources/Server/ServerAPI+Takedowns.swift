import Foundation
import Catalog
import HTTPServer
import ImagegenCore
import Operations
import Pipeline

/// `POST /v1/takedowns` (a removal request: the image, its derivatives and every identical or
/// near-identical copy, locally and in the cloud) and `GET /v1/takedowns` (each request with its
/// time to completion). Same service as `imagegen takedown`.
extension ServerAPI {
    struct TakedownBody: Decodable {
        var imageID: String?
        var sha256: String?
        /// The reported image itself, base64 (matched by its hashes, never stored).
        var likeBase64: String?
        var likeName: String?
        var reason: String
        var requestedAt: String?

        enum CodingKeys: String, CodingKey {
            case sha256, reason
            case imageID = "image_id", likeBase64 = "like_base64", likeName = "like_name", requestedAt = "requested_at"
        }
    }

    func createTakedown(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            guard let takedowns else {
                throw APIError(.serviceUnavailable, "takedowns_unavailable", "takedowns are unavailable on this server; see its log")
            }
            let body = try request.decodeJSON(TakedownBody.self)
            var targets: [TakedownRequest.Target] = []
            if let id = body.imageID { targets.append(.image(id)) }
            if let sha = body.sha256 { targets.append(.sha256(sha)) }
            if let encoded = body.likeBase64 {
                guard let bytes = Data(base64Encoded: encoded) else {
                    throw APIError.invalidRequest("like_base64 is not base64; send the reported image's bytes base64-encoded")
                }
                targets.append(.like(name: body.likeName ?? "like_base64", bytes: bytes))
            }
            guard targets.count == 1 else {
                throw APIError.invalidRequest("give exactly one of image_id, sha256 and like_base64 (with reason)")
            }
            var requestedAt: Date?
            if let text = body.requestedAt {
                guard let date = APIEncoding.parseTime(text) else {
                    throw APIError.invalidRequest("requested_at must be ISO 8601 or Unix seconds")
                }
                requestedAt = date
            }
            let record = try await takedowns.takeDown(TakedownRequest(target: targets[0], reason: body.reason, requestedAt: requestedAt))
            return APIEncoding.json(record, status: .created)
        }
    }

    func listTakedowns(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            guard let takedowns else {
                throw APIError(.serviceUnavailable, "takedowns_unavailable", "takedowns are unavailable on this server; see its log")
            }
            let limit = try ServerAPI.limit(request)
            let catalog = takedowns.catalog
            struct Listing: Encodable { var takedowns: [TakedownRecord] }
            return APIEncoding.json(Listing(takedowns: try await BlockingWork.run { try catalog.takedowns(limit: limit) }))
        }
    }
}
