/// Why a tag vocabulary (built-in or from config) cannot be used.
package enum TagVocabularyError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(reason: String)
    case invalid(reason: String)

    package var description: String {
        switch self {
        case .unreadable(let reason):
            return "cannot read the tag vocabulary: \(reason); check its JSON5 syntax"
        case .invalid(let reason):
            return "invalid tag vocabulary: \(reason)"
        }
    }
}
