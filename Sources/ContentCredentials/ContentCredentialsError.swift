/// Why an image could not be signed. The library's own message is kept: it names the
/// certificate profile rule or the asset problem.
public enum ContentCredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C2PA library refused a call (its message).
    case library(String)
    case signing(format: String, reason: String)

    public var description: String {
        switch self {
        case .library(let message): return "C2PA library: \(message)"
        case .signing(let format, let reason): return "cannot sign the \(format) image with a C2PA manifest: \(reason)"
        }
    }
}
