/// Size limits applied while a request is read. Defaults follow the derived profile in
/// `reference/http-server.md` §11 (nginx / h2o anchors): every limit turns into a 4xx, never into
/// unbounded memory.
package struct HTTPServerLimits: Sendable, Hashable {
    /// Request line (method, target, version) in bytes; longer → 414.
    package var maxRequestLineBytes: Int = 8 * 1024
    /// One header line in bytes; longer → 431.
    package var maxHeaderLineBytes: Int = 8 * 1024
    /// All header lines together (and, separately, a chunked body's trailer section); more → 431.
    package var maxHeaderSectionBytes: Int = 32 * 1024
    /// Number of header fields; more → 431.
    package var maxHeaderCount: Int = 100
    /// Decoded request body in bytes; more → 413 (checked against Content-Length before reading,
    /// and while decoding chunks).
    package var maxBodyBytes: Int = 1024 * 1024
    /// One chunk-size line including extensions; longer → 413.
    package var maxChunkLineBytes: Int = 4 * 1024
    /// Chunk-extension bytes over a whole body (CVE-2024-22019 class); more → 413.
    package var maxChunkExtensionBytes: Int = 16 * 1024
    /// Requests served on one connection before it is closed (nginx `keepalive_requests`).
    package var maxRequestsPerConnection: Int = 1000
    /// Bytes of a streamed body (server-sent events) a client may leave unread; beyond it the
    /// connection is closed and the client reconnects (it resumes from its last event id).
    package var maxStreamBufferBytes: Int = 256 * 1024

    package init() {}

    package static let `default` = HTTPServerLimits()
}
