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
            try ensureVisible([id])
            let service = self.service
            let outcome = try await BlockingWork.run { try service.rate(imageID: id, rating: body.rating) }
            runtime.security.audit.record(.imageRating, subject: id, details: ["rating": String(body.rating)])
            return APIEncoding.json(outcome)
        }
    }

    /// Holds an image for a post on a channel and day; an image holds one reservation at a time.
    func reserveImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let body = try request.decodeJSON(ReservationRequest.self)
            let id = request.pathParameter("id") ?? ""
            try ensureVisible([id])
            let reservation = try catalog.reserve(imageID: id, channel: body.channel, day: body.day, now: service.clock())
            runtime.security.audit.record(.imageReservation, subject: id, details: ["channel": body.channel, "day": body.day])
            reserved(reservation)
            return APIEncoding.json(reservation)
        }
    }

    /// Releases the image's active reservation.
    func releaseImage(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let id = request.pathParameter("id") ?? ""
            try ensureVisible([id])
            let released = try catalog.releaseReservation(imageID: id, now: service.clock())
            runtime.security.audit.record(.imageReservation, subject: id, details: ["released": "true", "reservation": released.id])
            reserved(released)
            return APIEncoding.json(released)
        }
    }

    /// Announces a reservation or its release (`image.reserved`, `image.released`).
    func reserved(_ reservation: Reservation) {
        var data = ["image_id": reservation.imageID, "reservation_id": reservation.id, "channel": reservation.channel, "day": reservation.day]
        if let category = try? catalog.image(reservation.imageID)?.category { data["category"] = category } // try?: without a category the event is shown only to verified adults (see visibleEvents)
        events.publish(reservation.releasedAt == nil ? "image.reserved" : "image.released", data)
    }
}
