/// A request method: a case-sensitive token (RFC 9110 §9.1).
///
/// Any syntactically valid token parses; `isImplemented` says whether this server serves it.
/// Anything else (TRACE, CONNECT, made-up methods) is answered with 501 before routing.
package struct HTTPMethod: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    package let rawValue: String

    package init(_ rawValue: String) { self.rawValue = rawValue }
    package init(stringLiteral value: String) { self.rawValue = value }

    package static let get: HTTPMethod = "GET"
    package static let head: HTTPMethod = "HEAD"
    package static let post: HTTPMethod = "POST"
    package static let put: HTTPMethod = "PUT"
    package static let delete: HTTPMethod = "DELETE"
    package static let patch: HTTPMethod = "PATCH"
    package static let options: HTTPMethod = "OPTIONS"

    /// The methods this server routes.
    package static let implemented: Set<HTTPMethod> = [.get, .head, .post, .put, .delete, .patch, .options]

    package var isImplemented: Bool { Self.implemented.contains(self) }

    package var description: String { rawValue }
}
