/// The protocol version of a request line. Only major version 1 is served; a higher minor
/// (`HTTP/1.2`) is treated as 1.1, the highest minor this server knows (RFC 9110 §2.5).
package struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    package let major: Int
    package let minor: Int

    package init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    package static let http1_0 = HTTPVersion(major: 1, minor: 0)
    package static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// True for HTTP/1.1 semantics (Host required, persistent by default, chunked allowed).
    package var isAtLeastHTTP11: Bool { major > 1 || (major == 1 && minor >= 1) }

    package var description: String { "HTTP/\(major).\(minor)" }
}
