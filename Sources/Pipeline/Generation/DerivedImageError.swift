import ImagegenCore

/// Why `images vary` / `images upscale` (and their API routes) could not start from an image.
public enum DerivedImageError: Error, Sendable, Equatable, CustomStringConvertible, MeaningfulError {
    case unknownImage(String)

    public var description: String {
        switch self {
        case .unknownImage(let id): return "no image \(id); list them with `imagegen images list`"
        }
    }

    package var meaning: ErrorMeaning {
        switch self {
        case .unknownImage: return .notFound
        }
    }

    package var errorCode: String {
        switch self {
        case .unknownImage: return "unknown_image"
        }
    }
}
