import Foundation

/// Writes one line per notification to the host's log (stderr unless a writer is given).
public struct LogAlertSink: AlertSink {
    public let name = "log"
    private let write: @Sendable (String) -> Void

    public init(write: @escaping @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }) {
        self.write = write
    }

    public func deliver(_ notification: AlertNotification) async throws(AlertSinkError) {
        write(notification.logLine)
    }
}
