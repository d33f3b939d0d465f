/// Why object metadata (`x-amz-meta-*`) was refused before any request was made.
package enum S3ObjectMetadataError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidName(String)
    case tooLarge(bytes: Int, limit: Int)

    package var description: String {
        switch self {
        case let .invalidName(name):
            return "object metadata name '\(name)' is invalid: use lower-case letters, digits and '-' only."
        case let .tooLarge(bytes, limit):
            return "object metadata is \(bytes) bytes, over S3's \(limit)-byte limit for user metadata; "
                + "drop or shorten fields (prompts never belong here)."
        }
    }
}
