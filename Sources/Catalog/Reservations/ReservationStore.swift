import Foundation
import ImagegenCore

/// Images held for posts (`imagegen images reserve`, `POST /v1/images/{id}/reserve`). An
/// image holds at most one active reservation, so it is never promised to two posts.
public protocol ReservationStore: Sendable {
    /// Reserves original `imageID` for `channel` on `day` (YYYY-MM-DD): checked and inserted
    /// in one committed transaction. Throws `ReservationError`.
    func reserve(imageID: String, channel: String, day: String, now: Date) throws -> Reservation
    /// Ends the active reservation of `imageID`. One committed transaction. Throws
    /// `ReservationError.notFound` when it has none.
    func releaseReservation(imageID: String, now: Date) throws -> Reservation
    /// The active reservation of `imageID`, if any. One read.
    func activeReservation(imageID: String) throws -> Reservation?
    /// Stored originals with no active reservation and not rejected, newest first, optionally of one category
    /// or carrying one tag. One read.
    func availableImages(category: String?, tag: String?, limit: Int) throws -> [ImageRecord]
}
