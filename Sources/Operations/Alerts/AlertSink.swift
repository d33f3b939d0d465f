/// Somewhere alert notifications go (the log, a file, a webhook).
public protocol AlertSink: Sendable {
    /// A short name for metrics and errors ("log", "file", "webhook").
    var name: String { get }
    /// Delivers one notification; throws `AlertSinkError` when it could not, after any retries.
    func deliver(_ notification: AlertNotification) async throws(AlertSinkError)
}
