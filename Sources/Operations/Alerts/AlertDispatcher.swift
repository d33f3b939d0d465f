import Foundation

/// Hands alert transitions to every sink: sinks run concurrently, each sink gets the
/// notifications in order. A sink's failure never blocks the others; failures are reported
/// through `onFailure` and counted in `imagegen_alert_notifications_total`.
///
/// The serve loop typically runs `dispatch` in its own task so a slow webhook (retrying with
/// back-off) never delays the next evaluation.
public struct AlertDispatcher: Sendable {
    /// One sink's result for one notification.
    public struct Delivery: Sendable, Equatable {
        public let sink: String
        public let deliveryID: String
        public let error: AlertSinkError?
    }

    private let sinks: [any AlertSink]
    private let clock: any WallClock
    private let metrics: HostMetrics?
    private let onFailure: @Sendable (String) -> Void

    public init(sinks: [any AlertSink], clock: any WallClock, metrics: HostMetrics? = nil,
                onFailure: @escaping @Sendable (String) -> Void = { _ in }) {
        self.sinks = sinks
        self.clock = clock
        self.metrics = metrics
        self.onFailure = onFailure
    }

    @discardableResult
    public func dispatch(_ transitions: [AlertTransition]) async -> [Delivery] {
        guard !transitions.isEmpty else { return [] }
        let now = clock.now
        let notifications = transitions.map { AlertNotification($0, at: now) }
        return await withTaskGroup(of: [Delivery].self) { group in
            for sink in sinks {
                group.addTask {
                    var results: [Delivery] = []
                    for notification in notifications {
                        do throws(AlertSinkError) {
                            try await sink.deliver(notification)
                            results.append(Delivery(sink: sink.name, deliveryID: notification.deliveryID, error: nil))
                            metrics?.alertNotifications.increment(labels: ["sink": sink.name, "outcome": "delivered"])
                        } catch {
                            results.append(Delivery(sink: sink.name, deliveryID: notification.deliveryID, error: error))
                            metrics?.alertNotifications.increment(labels: ["sink": sink.name, "outcome": "failed"])
                            onFailure("alert \(notification.deliveryID) not delivered to \(sink.name): \(error)")
                        }
                    }
                    return results
                }
            }
            var all: [Delivery] = []
            for await part in group { all += part }
            return all.sorted { ($0.sink, $0.deliveryID) < ($1.sink, $1.deliveryID) }
        }
    }
}
