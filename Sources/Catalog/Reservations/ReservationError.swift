/// Why a reservation was refused.
public enum ReservationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownImage(String)
    case alreadyReserved(imageID: String, by: Reservation)
    case invalidDay(String)
    case notFound(String)
    /// Posts use originals; a derivative is reserved through its original.
    case derivative(id: String, original: String?)

    public var description: String {
        switch self {
        case .unknownImage(let id): return "no image \(id)"
        case .alreadyReserved(let id, let r):
            return "image \(id) is already reserved for \(r.channel) on \(r.day) (reservation \(r.id)); release it first or pick another image"
        case .invalidDay(let d): return "day \"\(d)\" must be a date YYYY-MM-DD"
        case .notFound(let id): return "no active reservation \(id)"
        case let .derivative(id, original): return "image \(id) is a post-processed derivative; reserve its original \(original ?? "") instead"
        }
    }
}
