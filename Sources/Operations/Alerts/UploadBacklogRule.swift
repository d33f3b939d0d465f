import Foundation
import Catalog

/// "Upload queue backing up": more than `maxPending` uploads waiting, or the oldest waiting
/// longer than `maxAge`. Clears when the queue drains under both bounds.
public struct UploadBacklogRule: AlertRule {
    public let name = "UploadQueueBacklog"
    public var maxPending: Int
    public var maxAge: TimeInterval

    public init(maxPending: Int = 100, maxAge: TimeInterval = 15 * 60) {
        self.maxPending = maxPending
        self.maxAge = maxAge
    }

    public func evaluate(_ inputs: AlertInputs, now: Date) -> [AlertCondition] {
        inputs.uploadQueues.sorted { $0.destination < $1.destination }.compactMap { queue in
            let age = queue.oldestEnqueuedAt.map { now.timeIntervalSince($0) } ?? 0
            guard queue.pending > maxPending || (queue.pending > 0 && age > maxAge) else { return nil }
            return AlertCondition(rule: name, subject: queue.destination, severity: .warning,
                message: "upload queue \(queue.destination) holds \(queue.pending) items, the oldest waiting \(Int(age / 60)) min (limits: \(maxPending) items, \(Int(maxAge / 60)) min); check the storage destination")
        }
    }
}
