import PluginAPI

/// The status classes of the ABI, as a Swift enum. Raw values are the ABI's codes.
public enum ProviderStatus: Int32, Sendable, CaseIterable {
    case invalidRequest = 1
    case auth = 2
    case rateLimited = 3
    case quota = 4
    case contentFiltered = 5
    case provider = 6
    case timeout = 7
    case cancelled = 8
    case unsupported = 9
    case `internal` = 10
    case notFound = 12
}

/// The one error a provider throws. PluginKit turns it into a status code and a message at
/// the C boundary, so no Swift error ever crosses it.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    public var status: ProviderStatus
    public var message: String
    /// For `.rateLimited` (and sometimes `.provider`): how long the host should wait.
    public var retryAfterMilliseconds: Int?

    public init(_ status: ProviderStatus, _ message: String, retryAfterMilliseconds: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfterMilliseconds = retryAfterMilliseconds
    }

    public var description: String { "\(status): \(message)" }
}
