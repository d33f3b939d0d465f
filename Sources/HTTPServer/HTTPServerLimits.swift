/// Size limits applied while a request is read. Defaults follow the derived profile in
/// `reference/http-server.md` §11 (nginx / h2o anchors): every limit turns into a 4xx, never into
/// unbounded memory.
public struct HTTPServerLimits: Sendable, Hashable {
    /// Request line (method, target, version) in bytes; longer → 414.
    public var maxRequestLineBytes: Int = 8 * 1024
    /// One header line in bytes; longer → 431.
    public var maxHeaderLineBytes: Int = 8 * 1024
    /// All header lines together (and, separately, a chunked body's trailer section); more → 431.
    public var maxHeaderSectionBytes: Int = 32 * 1024
    /// Number of header fields; more → 431.
    public var maxHeaderCount: Int = 100
    /// Decoded request body in bytes; more → 413 (checked against Content-Length before reading,
    /// and while decoding chunks).
    public var maxBodyBytes: Int = 1024 * 1024
    /// One chunk-size line including extensions; longer → 413.
    public var maxChunkLineBytes: Int = 4 * 1024
    /// Chunk-extension bytes over a whole body (CVE-2024-22019 class); more → 413.
    public var maxChunkExtensionBytes: Int = 16 * 1024
    /// Requests served on one connection before it is closed (nginx `keepalive_requests`).
    public var maxRequestsPerConnection: Int = 1000

    public init() {}

    public static let `default` = HTTPServerLimits()
}
