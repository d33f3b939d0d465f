import Foundation

/// Writes one line per notification to the host's log (stderr unless a writer is given).
package struct LogAlertSink: AlertSink {
    package let name = "log"
    private let write: @Sendable (String) -> Void

    package init(write: @escaping @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }) {
        self.write = write
    }

    package func deliver(_ notification: AlertNotification) async throws(AlertSinkError) {
        write(notification.logLine)
    }
}
