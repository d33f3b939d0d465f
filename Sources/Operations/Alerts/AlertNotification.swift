import Foundation
import Catalog

/// What the sinks deliver for one transition. Its JSON (`encodedJSON()`) is the webhook body and
/// the file sink's line, shaped as Standard Webhooks recommend:
/// `{"type": "alert.firing" | "alert.resolved", "timestamp": …, "id": …, "data": {…alert…}}`.
public struct AlertNotification: Sendable, Hashable {
    public let transition: AlertTransition
    /// When the notification was produced.
    public let timestamp: Date

    public init(_ transition: AlertTransition, at timestamp: Date) {
        self.transition = transition
        self.timestamp = timestamp
    }

    public var alert: Alert { transition.alert }

    /// "alert.firing" or "alert.resolved".
    public var type: String {
        if case .fired = transition { return "alert.firing" }
        return "alert.resolved"
    }

    /// Stable across retries and restarts (receivers de-duplicate on it): `<alert id>@<start unix>/<firing|resolved>`.
    public var deliveryID: String {
        "\(alert.id)@\(Int64(alert.startedAt.timeIntervalSince1970))/\(type == "alert.firing" ? "firing" : "resolved")"
    }

    private struct Body: Encodable {
        struct Data: Encodable {
            let id, rule, subject, severity, status, message: String
            let startsAt: Date
            let endsAt: Date?
        }
        let type: String
        let id: String
        let timestamp: Date
        let data: Data
    }

    /// Compact JSON with sorted keys and RFC 3339 instants: the exact bytes that are signed and sent.
    public func encodedJSON() -> Foundation.Data {
        let a = alert
        let body = Body(type: type, id: deliveryID, timestamp: timestamp,
                        data: .init(id: a.id, rule: a.rule, subject: a.subject, severity: a.severity.rawValue,
                                    status: a.isActive ? "firing" : "resolved", message: a.message,
                                    startsAt: a.startedAt, endsAt: a.endedAt))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // try?: encoding plain strings and dates cannot fail.
        return (try? encoder.encode(body)) ?? Foundation.Data("{}".utf8)
    }

    /// One line for the log.
    public var logLine: String {
        let a = alert
        return "alert \(a.isActive ? "firing" : "resolved") [\(a.severity.rawValue)] \(a.id): \(a.message)"
    }
}
