import Foundation
import ImagegenCore

/// Why a takedown was not carried out, or not completely.
public enum TakedownError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingReason
    case unknownImage(String)
    case alreadyTakenDown(String)
    case invalidSHA256(String)
    case notAnImage(name: String, reason: String)
    case imagingUnavailable
    case requestedInTheFuture(String)
    /// The images are taken down (no longer listed, published or uploaded) but some files or
    /// objects could not be deleted yet.
    case incomplete(id: String, reason: String)
    case catalog(String)

    public var description: String {
        switch self {
        case .missingReason:
            return "a takedown needs --reason (who asked and why, e.g. \"TAKE IT DOWN request from the depicted person\")"
        case .unknownImage(let id):
            return "no image \(id); list them with `imagegen images list`, or use --sha256 HEX / --like FILE"
        case .alreadyTakenDown(let id):
            return "image \(id) was already taken down; `imagegen takedown list` shows when"
        case .invalidSHA256(let value):
            return "--sha256 must be 64 hexadecimal digits (got \"\(value.prefix(80))\")"
        case .notAnImage(let name, let reason):
            return "\(name) is not an image imagegen can read (\(reason)); give the PNG, JPEG, WebP or AVIF file that was reported"
        case .imagingUnavailable:
            return "libvips could not start, so near-identical copies cannot be found; fix imaging (see the log) and run the takedown again"
        case .requestedInTheFuture(let value):
            return "--requested-at \(value) is in the future; give the time the request was received (ISO 8601)"
        case .incomplete(let id, let reason):
            return "takedown \(id): the images are withdrawn, but not everything is deleted yet (\(reason)); run `imagegen takedown resume`"
        case .catalog(let reason):
            return "takedown: the catalog failed (\(reason)); nothing was removed that the catalog does not know about — run it again"
        }
    }
}

extension TakedownError: MeaningfulError {
    package var meaning: ErrorMeaning {
        switch self {
        case .missingReason, .invalidSHA256, .notAnImage, .requestedInTheFuture: return .invalidRequest
        case .unknownImage: return .notFound
        case .alreadyTakenDown: return .conflict
        case .imagingUnavailable, .incomplete, .catalog: return .unavailable
        }
    }

    package var errorCode: String {
        switch self {
        case .missingReason, .invalidSHA256, .notAnImage, .requestedInTheFuture: return "invalid_request"
        case .unknownImage: return "not_found"
        case .alreadyTakenDown: return "already_taken_down"
        case .imagingUnavailable: return "imaging_unavailable"
        case .incomplete: return "takedown_incomplete"
        case .catalog: return "catalog_unavailable"
        }
    }
}
