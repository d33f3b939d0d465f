/// A request method: a case-sensitive token (RFC 9110 §9.1).
///
/// Any syntactically valid token parses; `isImplemented` says whether this server serves it.
/// Anything else (TRACE, CONNECT, made-up methods) is answered with 501 before routing.
public struct HTTPMethod: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let get: HTTPMethod = "GET"
    public static let head: HTTPMethod = "HEAD"
    public static let post: HTTPMethod = "POST"
    public static let put: HTTPMethod = "PUT"
    public static let delete: HTTPMethod = "DELETE"
    public static let patch: HTTPMethod = "PATCH"
    public static let options: HTTPMethod = "OPTIONS"

    /// The methods this server routes.
    public static let implemented: Set<HTTPMethod> = [.get, .head, .post, .put, .delete, .patch, .options]

    public var isImplemented: Bool { Self.implemented.contains(self) }

    public var description: String { rawValue }
}
