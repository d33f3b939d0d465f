import Foundation
import Catalog
import HTTPServer
import ImagegenCore

/// `POST /v1/images/{id}/rating`, `POST` and `DELETE /v1/images/{id}/reservation`, and the
/// `available=true` listing: what a studio's review and planning tools call.
extension ServerAPI {
    struct RatingRequest: Decodable { var rating: Int }
    struct ReservationRequest: Decodable { var channel: String; var day: String }

    /// Records a 1…5 rating (it feeds the A/B experiments and the preference profiles).
    func rateImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let body = try request.decodeJSON(RatingRequest.self)
            let id = request.pathParameter("id") ?? ""
            let service = self.service
            return APIEncoding.json(try await BlockingWork.run { try service.rate(imageID: id, rating: body.rating) })
        }
    }

    /// Holds an image for a post on a channel and day; an image holds one reservation at a time.
    func reserveImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let body = try request.decodeJSON(ReservationRequest.self)
            let id = request.pathParameter("id") ?? ""
            return APIEncoding.json(try catalog.reserve(imageID: id, channel: body.channel, day: body.day, now: service.clock()))
        }
    }

    /// Releases the image's active reservation.
    func releaseImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            APIEncoding.json(try catalog.releaseReservation(imageID: request.pathParameter("id") ?? "", now: service.clock()))
        }
    }
}
