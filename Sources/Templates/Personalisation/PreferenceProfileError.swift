/// Why a preference profile cannot be used or updated.
public enum PreferenceProfileError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidProfile(name: String, reason: String)
    case unreadable(reason: String)
    case ratingOutOfRange(Int)
    case scoreOutOfRange(Double)

    public var description: String {
        switch self {
        case .invalidProfile(let name, let reason):
            return "preference profile '\(name)' is invalid: \(reason); fix it in the config"
        case .unreadable(let reason):
            return "cannot read the preference profile: \(reason)"
        case .ratingOutOfRange(let rating):
            return "rating \(rating) is outside 1...5; rate images from 1 (worst) to 5 (best)"
        case .scoreOutOfRange(let score):
            return "score \(score) is outside 0...1; normalise it first"
        }
    }
}
