/// How much a plugin may hand the host in one answer. Every size is checked against these
/// before the host copies anything, so an answer claiming 2^40 bytes is refused with its size
/// named instead of being allocated (which killed the host).
public struct PluginBoundaryLimits: Sendable, Equatable {
    /// Most bytes of one fetched image: the imaging input limit (`imaging.limits.maxBytes`),
    /// which would refuse a larger image after the copy anyway.
    public var maxImageBytes: Int
    /// Most bytes of one JSON answer (submit, poll, reconcile, balance), job reference
    /// included: twice the image limit, room for a synchronous provider's base64 outputs.
    public var maxJSONBytes: Int
    /// Most bytes `describe` may ask for (its buffer grows up to this).
    public static let maxDescribeBytes = 16 * 1024 * 1024
    /// Most bytes of one `host->log` line; the rest is cut (between characters).
    public static let maxLogLineBytes = 16 * 1024

    public init(maxImageBytes: Int = 40 * 1024 * 1024) {
        self.maxImageBytes = max(1, maxImageBytes)
        let (doubled, overflow) = self.maxImageBytes.multipliedReportingOverflow(by: 2)
        maxJSONBytes = overflow ? Int.max : max(16 * 1024 * 1024, doubled)
    }

    /// The cap on one answer of `operation`, and what the cap is, for the refusal's message.
    package func outputLimit(_ operation: PluginOperation) -> (limit: Int, what: String) {
        operation == .fetch ? (maxImageBytes, "one image (imaging.limits.maxBytes)") : (maxJSONBytes, "a JSON answer")
    }
}
