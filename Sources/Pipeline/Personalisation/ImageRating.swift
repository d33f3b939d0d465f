import Foundation
import Catalog

/// Why a rating was not recorded.
package enum ImageRatingError: Error, Equatable, CustomStringConvertible {
    case unknownImage(String)
    case outOfRange(Int)
    /// Ratings judge what the provider made; a derivative is rated through its original.
    case derivative(id: String, original: String?)

    package var description: String {
        switch self {
        case let .unknownImage(id): "no image \(id); list them with `imagegen images list`"
        case let .outOfRange(r): "a rating is a whole number from 1 to 5, got \(r)"
        case let .derivative(id, original): "image \(id) is a post-processed derivative; rate its original \(original ?? "") instead"
        }
    }
}

/// What rating an image changed.
package struct ImageRatingOutcome: Sendable, Encodable {
    package var imageID: String
    package var rating: Int
    /// The preference profile that chose the image's placeholder values, when its weights moved.
    package var learnedProfile: String?
    /// Why the profile could not learn from this rating (the rating itself is recorded).
    package var profileProblem: String?

    enum CodingKeys: String, CodingKey {
        case rating, imageID = "image_id", learnedProfile = "learned_profile", profileProblem = "profile_problem"
    }
}

extension GenerationService {
    /// Records a 1…5 rating of an original (the latest counts; it feeds the A/B experiments),
    /// and lets the preference profile that chose its placeholder values learn from it.
    package func rate(imageID: String, rating: Int, now: Date? = nil) throws -> ImageRatingOutcome {
        guard (1...5).contains(rating) else { throw ImageRatingError.outOfRange(rating) }
        guard let ratings, let image = try catalog.image(imageID) else {
            throw ImageRatingError.unknownImage(imageID)
        }
        guard image.variant == "original" else { throw ImageRatingError.derivative(id: imageID, original: image.parentID) }
        try ratings.rate(imageID: imageID, rating: rating, now: now ?? clock())
        var outcome = ImageRatingOutcome(imageID: imageID, rating: rating)
        // Highly rated placeholder values gain weight in the profile that chose them.
        if let name = image.extra["profile"], let json = image.extra["placeholders"] {
            do {
                // Unreadable placeholders are reported like any other reason the profile was not updated.
                let values = try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
                try ratings.storeProfile(try profile(named: name).learning(fromRating: rating, placeholderValues: values), now: Date())
                outcome.learnedProfile = name
            } catch {
                outcome.profileProblem = "profile \(name) was not updated: \(error)"
            }
        }
        return outcome
    }
}
