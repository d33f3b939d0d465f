/// Why a review decision was refused. Nothing is recorded when one is thrown (a bulk decision
/// is all or nothing).
public enum ReviewError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownImage(String)
    /// Reviews are of originals; a derivative follows its original.
    case derivative(id: String, original: String?)
    case missingReason
    case reasonTooLong(Int)
    case tooMany(Int)
    case empty

    public static let maxReasonLength = 500
    public static let maxBatch = 500

    public var description: String {
        switch self {
        case .unknownImage(let id): return "no image \(id); list them with GET /v1/images or `imagegen images list`"
        case let .derivative(id, original): return "image \(id) is a post-processed derivative; review its original \(original ?? "") instead"
        case .missingReason: return "a rejection needs a reason (\"reason\" in the body, --reason on the command line)"
        case .reasonTooLong(let n): return "the reason is \(n) characters; at most \(ReviewError.maxReasonLength) are kept"
        case .tooMany(let n): return "\(n) images in one decision; send at most \(ReviewError.maxBatch) at a time"
        case .empty: return "no image ids given; send \"ids\": [\"img_…\"]"
        }
    }
}
