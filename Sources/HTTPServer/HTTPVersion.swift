/// The protocol version of a request line. Only major version 1 is served; a higher minor
/// (`HTTP/1.2`) is treated as 1.1, the highest minor this server knows (RFC 9110 §2.5).
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// True for HTTP/1.1 semantics (Host required, persistent by default, chunked allowed).
    public var isAtLeastHTTP11: Bool { major > 1 || (major == 1 && minor >= 1) }

    public var description: String { "HTTP/\(major).\(minor)" }
}
