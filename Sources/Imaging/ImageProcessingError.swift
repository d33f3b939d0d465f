/// Why post-processing or scoring of an already verified image failed: a fault of the host's
/// setup (configuration, libvips), not of the provider's bytes.
public enum ImageProcessingError: Error, Equatable, CustomStringConvertible {
    /// libvips could not start (is libvips installed? `apt-get install libvips-dev`).
    case libraryUnavailable(reason: String)
    /// A libvips operation failed; `operation` names the step.
    case libvipsFailed(operation: String, reason: String)
    /// The imaging configuration is unusable; each problem names its key.
    case invalidConfiguration(problems: [String])
    /// `process(_:profileNamed:)` was asked for a profile the configuration does not define.
    case unknownProfile(name: String, known: [String])

    public var description: String {
        switch self {
        case let .libraryUnavailable(reason):
            "libvips could not start (\(reason)); install it with 'apt-get install libvips-dev'"
        case let .libvipsFailed(operation, reason):
            "image processing failed in libvips '\(operation)': \(reason)"
        case let .invalidConfiguration(problems):
            "imaging configuration is invalid: " + problems.joined(separator: "; ")
        case let .unknownProfile(name, known):
            "no imaging profile named '\(name)'; known profiles: \(known.sorted().joined(separator: ", "))"
        }
    }
}
