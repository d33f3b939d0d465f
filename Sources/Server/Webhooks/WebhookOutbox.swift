import Foundation
import Synchronization
import DurableFiles
import ImagegenCore
import Operations
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Delivers events to the configured webhooks, durably: each delivery is written (atomically)
/// to `<data>/webhooks/outbox/` before the first attempt and removed only once the receiver
/// answered 2xx; 408, 429, 5xx and network errors are retried with jittered exponential
/// back-off (`WebhookRetryPolicy`, `Retry-After` honoured); after the last attempt, or on another
/// 4xx, the file moves to `webhooks/failed/` and an error is logged. At start, whatever the
/// previous process left in the outbox is sent again.
///
/// Headers: `X-Imagegen-Event`, `X-Imagegen-Delivery`, `X-Imagegen-Signature: sha256=<hex HMAC-SHA256
/// of the raw body under the target's secret>` (`WebhookSignature`).
final class WebhookOutbox: Sendable {
    let targets: [WebhookTarget]
    let outbox: String
    let failed: String
    private let log: Log
    private let policy: WebhookRetryPolicy
    private let session: URLSession
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])
    private let stopped = Atomic<Bool>(false)

    init(targets: [WebhookTarget], dataDirectory: String, log: Log, policy: WebhookRetryPolicy = WebhookRetryPolicy(maxDelay: 300)) {
        self.targets = targets
        outbox = dataDirectory + "/webhooks/outbox"
        failed = dataDirectory + "/webhooks/failed"
        self.log = log
        self.policy = policy
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = policy.requestTimeout
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.connectionProxyDictionary = [:]
        session = URLSession(configuration: configuration)
    }

    /// Queues `event` for every target that wants it.
    func enqueue(_ event: ServerEvent) {
        guard !stopped.load(ordering: .relaxed) else { return }
        let body = String(decoding: ServerAPI.eventJSON(event), as: UTF8.self)
        for target in targets where target.wants(event.type) {
            let pending = PendingDelivery(delivery: "whd_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""),
                                          url: target.url.absoluteString, type: event.type, body: body)
            do {
                try write(pending)
            } catch {
                // Not durable, but still sent now: losing the event over a full disk would be worse.
                log.error("webhooks: cannot write the outbox entry for \(event.type) to \(target.endpoint): \(error)", source: "webhooks")
            }
            start(pending, target: target)
        }
    }

    /// Sends again every delivery a previous process left in the outbox.
    func resume() {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            return // no outbox folder yet: nothing was ever queued
        }
        for name in names {
            let path = outbox + "/" + name
            do {
                let pending = try JSONDecoder().decode(PendingDelivery.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                guard let target = targets.first(where: { $0.url.absoluteString == pending.url }) else {
                    log.warning("webhooks: \(name) is for a webhook no longer configured; moved to \(failed)", source: "webhooks")
                    moveToFailed(pending.delivery)
                    continue
                }
                start(pending, target: target)
            } catch {
                log.error("webhooks: cannot read \(path) (\(error)); left in place", source: "webhooks")
            }
        }
    }

    /// Cancels the deliveries in flight; their files stay in the outbox for the next start.
    func stop() async {
        stopped.store(true, ordering: .relaxed)
        let running = tasks.withLock { Array($0.values) }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }

    var inFlight: Int { tasks.withLock { $0.count } }

    private func start(_ pending: PendingDelivery, target: WebhookTarget) {
        let task = Task { [self] in
            await deliver(pending, target: target)
            _ = tasks.withLock { $0.removeValue(forKey: pending.delivery) }
        }
        tasks.withLock { $0[pending.delivery] = task }
    }

    private func deliver(_ pending: PendingDelivery, target: WebhookTarget) async {
        let body = Data(pending.body.utf8)
        var request = URLRequest(url: target.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: policy.requestTimeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("imagegen", forHTTPHeaderField: "User-Agent")
        request.setValue(pending.type, forHTTPHeaderField: "X-Imagegen-Event")
        request.setValue(pending.delivery, forHTTPHeaderField: "X-Imagegen-Delivery")
        request.setValue(WebhookSignature.headerValue(secret: target.secret, body: body), forHTTPHeaderField: WebhookSignature.headerName)
        request.httpBody = body
        var problem = "no attempt made"
        let attempts = max(1, target.maxAttempts)
        for attempt in 1...attempts {
            if Task.isCancelled { return }
            var retryAfter: TimeInterval?
            do {
                let (_, response) = try await session.data(for: request)
                let http = response as? HTTPURLResponse
                let status = http?.statusCode ?? 0
                if (200...299).contains(status) {
                    remove(pending.delivery)
                    return
                }
                problem = "HTTP \(status)"
                guard WebhookRetryPolicy.isRetryable(status: status) else { break }
                if let header = http?.value(forHTTPHeaderField: "Retry-After"), let seconds = Double(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
                    retryAfter = min(seconds, policy.maxRetryAfter)
                }
            } catch {
                if Task.isCancelled { return }
                problem = (error as? URLError).map { "network error \($0.code.rawValue)" } ?? "network error"
            }
            guard attempt < attempts else { break }
            log.warning("webhooks: \(pending.type) to \(target.endpoint) failed (\(problem)); attempt \(attempt + 1) of \(attempts) follows", source: "webhooks")
            do {
                try await Task.sleep(nanoseconds: UInt64((retryAfter ?? policy.delay(beforeRetry: attempt, unit: Double.random(in: 0..<1))) * 1_000_000_000))
            } catch {
                return // stopping: the file stays in the outbox
            }
        }
        log.error("webhooks: gave up on \(pending.type) \(pending.delivery) to \(target.endpoint) (\(problem)); kept in \(failed)", source: "webhooks")
        moveToFailed(pending.delivery)
    }

    private func path(_ delivery: String) -> String { outbox + "/" + delivery + ".json" }

    private func write(_ pending: PendingDelivery) throws {
        try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true)
        try AtomicFile.write(Array(try JSONEncoder().encode(pending)), to: path(pending.delivery), mode: 0o600)
    }

    private func remove(_ delivery: String) {
        do {
            try FileManager.default.removeItem(atPath: path(delivery))
        } catch {
            // A leftover file only means one more (de-duplicated) delivery after a restart.
            log.warning("webhooks: cannot remove the delivered \(delivery) from the outbox: \(error)", source: "webhooks")
        }
    }

    private func moveToFailed(_ delivery: String) {
        do {
            try FileManager.default.createDirectory(atPath: failed, withIntermediateDirectories: true)
            try FileManager.default.moveItem(atPath: path(delivery), toPath: failed + "/" + delivery + ".json")
        } catch {
            log.error("webhooks: cannot move \(delivery) to \(failed): \(error)", source: "webhooks")
        }
    }
}
