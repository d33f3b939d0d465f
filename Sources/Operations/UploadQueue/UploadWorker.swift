import Foundation
import Catalog
import CloudStorage
import ImagegenCore

/// Uploads queued files in the background, for `imagegen serve`: bounded concurrency, back-off
/// across attempts, verification, and alerts when the queue backs up or a file keeps failing.
///
/// `start()` first puts rows a previous process left `uploading` back to pending (when this process
/// holds the data folder's `UploadLock`) and queues any stored image that has no queue row, then
/// claims due rows as slots free up. `stop(grace:)` lets uploads in flight finish for `grace`
/// seconds and releases the rest back to pending. The same worker, unstarted, serves
/// `imagegen storage sync` through `sync(includeFailed:progress:)`.
package actor UploadWorker {
    package let queue: UploadQueue
    let transfer: UploadTransfer
    package let settings: UploadWorkerSettings
    let log: Log
    let clock: @Sendable () -> Date
    let alerts: UploadAlertHandler?

    var lock: UploadLock?
    var loop: Task<Void, Never>?
    var inFlight: [Int64: Task<Void, Never>] = [:]
    var stopping = false
    var backlogRaised = false
    var lastLeaseSweep = Date.distantPast
    /// The dispatch loop's sleep between polls, ended by `wake()`.
    let alarm = WakeableSleep()
    var singleton = SingletonGate()
    var listening = false

    package init(queue: UploadQueue, client: S3Client, dataDirectory: String, settings: UploadWorkerSettings, log: Log,
                clock: @escaping @Sendable () -> Date = { Date() }, alerts: UploadAlertHandler? = nil) {
        self.queue = queue
        self.transfer = UploadTransfer(client: client, dataDirectory: dataDirectory)
        self.settings = settings
        self.log = log
        self.clock = clock
        self.alerts = alerts
    }

    /// Reads files other hosts stored from the bucket this worker uploads to.
    package nonisolated var objectImages: ObjectStoreImages { ObjectStoreImages(queue: queue, client: transfer.client) }

    package var isRunning: Bool { loop != nil }
    package var inFlightCount: Int { inFlight.count }
    var dataDirectory: String { transfer.dataDirectory }

    // MARK: - Background loop

    /// - Parameter singleton: elects the host that puts uploads with expired leases back (every
    ///   host claims and uploads its own files).
    package func start(singleton: SingletonGate = SingletonGate()) {
        self.singleton = singleton
        guard loop == nil else { return }
        stopping = false
        if !listening {
            listening = true
            queue.onEnqueue { [weak self] in
                guard let self else { return }
                Task { await self.wake() }
            }
        }
        prepare()
        loop = Task { await self.dispatch() }
    }

    /// A file was queued: look now rather than at the next poll.
    package func wake() {
        alarm.wake()
    }

    /// Stops claiming; uploads in flight get `grace` seconds, then are cancelled and their rows go
    /// back to pending (their next start resumes them).
    package func stop(grace: TimeInterval) async {
        stopping = true
        loop?.cancel()
        wake()
        let end = Date().addingTimeInterval(grace)
        while !inFlight.isEmpty && Date() < end {
            // try?: cancellation only ends the grace wait early, which the loop condition handles
            try? await Task.sleep(for: .milliseconds(20))
        }
        let remaining = Array(inFlight.values)
        for task in remaining { task.cancel() }
        for task in remaining { await task.value }
        inFlight = [:]
        _ = await loop?.value
        loop = nil
        lock = nil
    }

    /// Takes the upload lock if free, resumes interrupted rows and queues images without rows.
    func prepare() {
        let now = clock()
        if lock == nil { lock = UploadLock(dataDirectory: dataDirectory) }
        do {
            let resumed = try queue.resumeInterrupted(all: lock != nil, now: now)
            if resumed > 0 { log.info("resuming \(resumed) interrupted upload(s)", source: "uploads") }
            let queued = try queue.reconcile(dataDirectory: dataDirectory, sidecars: settings.sidecars, now: now)
            if queued > 0 { log.info("queued \(queued) stored image(s) that had no upload yet", source: "uploads") }
        } catch {
            log.error("cannot prepare the upload queue: \(error)", source: "uploads")
        }
        lastLeaseSweep = now
    }

    func dispatch() async {
        while !stopping && !Task.isCancelled {
            let now = clock()
            let free = settings.concurrency - inFlight.count
            if free > 0 {
                do {
                    for item in try queue.claimDue(limit: free, now: now, lease: settings.lease) { launch(item) }
                } catch {
                    log.error("cannot read the upload queue: \(error)", source: "uploads")
                }
            }
            if now.timeIntervalSince(lastLeaseSweep) > 30, singleton.mayRun() {
                lastLeaseSweep = now
                do {
                    _ = try queue.resumeInterrupted(all: false, now: now)
                } catch {
                    // Expired leases stay claimed until the next sweep (30 s on).
                    log.error("cannot put uploads with expired leases back in the queue: \(error)", source: "uploads")
                }
            }
            checkBacklog(now: now)
            await alarm.sleep(for: settings.pollInterval)
        }
    }

    func launch(_ item: UploadItem) {
        let context = recordingContext
        inFlight[item.id] = Task {
            let outcome = await context.transfer.run(item)
            _ = context.record(outcome, for: item)
            self.finished(item.id)
        }
    }

    func finished(_ id: Int64) {
        inFlight[id] = nil
        wake()
    }


    // MARK: - Alerts

    /// Raises the backlog alert when the condition starts and clears it when it ends (no storms).
    func checkBacklog(now: Date) {
        // try?: a queue that cannot be read is logged by dispatch/sync, which read it first; the alert is checked again at the next poll
        guard let summary = try? queue.summary(now: now) else { return }
        let tooMany = summary.waiting > settings.backlogCount
        let tooOld = summary.oldestWaitingSince.map { now.timeIntervalSince($0) > settings.backlogAge } ?? false
        if (tooMany || tooOld) && !backlogRaised {
            backlogRaised = true
            emit(.backlog(waiting: summary.waiting, oldestWaitingSince: summary.oldestWaitingSince))
        } else if !(tooMany || tooOld) && backlogRaised {
            backlogRaised = false
            emit(.backlogCleared)
        }
    }

    func emit(_ alert: UploadAlert) {
        Self.emit(alert, to: alerts, log: log)
    }

    static func emit(_ alert: UploadAlert, to handler: UploadAlertHandler?, log: Log) {
        if let handler { handler(alert) } else if alert != .backlogCleared {
            log.warning(alert.message, source: "uploads")
        } else {
            log.info(alert.message, source: "uploads")
        }
    }

    // MARK: - Sync (everything now)

    /// Uploads every waiting file now (and, with `includeFailed`, gives failed files one more attempt),
    /// `settings.concurrency` at a time, ignoring back-off schedules. Returns when each has had its attempt.
    package func sync(includeFailed: Bool = true,
                     progress: (@Sendable (UploadSyncProgress) -> Void)? = nil) async -> UploadSyncReport {
        prepare()
        var report = UploadSyncReport()
        let ids: [Int64]
        do { ids = try queue.waitingIDs(includeFailed: includeFailed) } catch {
            report.failures.append(.init(filePath: "(queue)", error: "cannot read the upload queue: \(error)", willRetry: true))
            return report
        }
        report.total = ids.count
        let context = recordingContext
        let limit = settings.concurrency
        let lease = settings.lease
        await withTaskGroup(of: (UploadItem, RecordedResult)?.self) { group in
            var next = ids.makeIterator()
            var running = 0
            var done = 0
            func addNext() -> Bool {
                while let id = next.next() {
                    let claimed: [UploadItem]
                    do {
                        claimed = try context.queue.claim(ids: [id], now: context.clock(), lease: lease)
                    } catch {
                        // The row stays waiting: the worker or the next sync takes it.
                        report.failures.append(.init(filePath: "(upload \(id))", error: "cannot claim it: \(error)", willRetry: true))
                        continue
                    }
                    // Nothing claimed: another worker holds it or it is no longer waiting.
                    guard let item = claimed.first else { continue }
                    group.addTask {
                        let outcome = await context.transfer.run(item)
                        return (item, context.record(outcome, for: item))
                    }
                    return true
                }
                return false
            }
            while running < limit, addNext() { running += 1 }
            while let finished = await group.next() {
                running -= 1
                if let (item, result) = finished {
                    done += 1
                    switch result {
                    case .uploaded(let bytes):
                        report.uploaded += 1
                        report.bytesSent += bytes
                    case .alreadyPresent: report.alreadyPresent += 1
                    case .failed(let message, let willRetry):
                        report.failures.append(.init(filePath: item.filePath, error: message, willRetry: willRetry))
                    case .interrupted:
                        report.failures.append(.init(filePath: item.filePath, error: "interrupted", willRetry: true))
                    }
                    progress?(UploadSyncProgress(done: done, total: ids.count, filePath: item.filePath, result: result.summary))
                }
                if addNext() { running += 1 }
            }
        }
        checkBacklog(now: clock())
        return report
    }

    // MARK: - Recording outcomes

    var recordingContext: RecordingContext {
        RecordingContext(queue: queue, transfer: transfer, retry: settings.retry, log: log, clock: clock, alerts: alerts)
    }

    /// What the upload tasks need, outside the actor: they record their own outcome in the catalog.
    struct RecordingContext: Sendable {
        let queue: UploadQueue
        let transfer: UploadTransfer
        let retry: UploadRetrySchedule
        let log: Log
        let clock: @Sendable () -> Date
        let alerts: UploadAlertHandler?

        func record(_ outcome: UploadTransfer.Outcome, for item: UploadItem) -> RecordedResult {
            let now = clock()
            do {
                switch outcome {
                case let .uploaded(key, url, etag, bytes, sha256, parts):
                    let current = try queue.markUploaded(item, key: key, url: url, etag: etag, bytes: bytes, sha256: sha256.hex, now: now)
                    log.info("uploaded \(item.filePath) → \(url.absoluteString) (\(bytes) bytes\(parts > 1 ? ", \(parts) parts" : ""))"
                             + (current ? "" : "; the file changed meanwhile, queued again"), source: "uploads")
                    return .uploaded(bytes: bytes)
                case let .alreadyPresent(key, url, etag, bytes, sha256):
                    try queue.markUploaded(item, key: key, url: url, etag: etag, bytes: bytes, sha256: sha256.hex, now: now)
                    log.info("\(item.filePath) is already stored as \(key) with the same checksum; not sent again", source: "uploads")
                    return .alreadyPresent
                case let .failed(message, retryable):
                    let attempt = item.attempts + 1
                    let retryAt = retryable ? retry.nextAttempt(after: attempt, now: now) : nil
                    try queue.markFailedAttempt(item, error: message, retryAt: retryAt, now: now)
                    if let retryAt {
                        log.warning("upload of \(item.filePath) failed (attempt \(attempt) of \(retry.maxAttempts)), retrying at "
                                    + "\(ISO8601DateFormatter().string(from: retryAt)): \(message)", source: "uploads")
                    } else {
                        UploadWorker.emit(.fileFailed(filePath: item.filePath, attempts: attempt, error: message), to: alerts, log: log)
                    }
                    return .failed(message: message, willRetry: retryAt != nil)
                case .interrupted:
                    try queue.release(item, now: now)
                    return .interrupted
                }
            } catch {
                log.error("cannot record the upload of \(item.filePath): \(error)", source: "uploads")
                return .failed(message: "cannot record the result: \(error)", willRetry: true)
            }
        }
    }

    enum RecordedResult: Sendable {
        case uploaded(bytes: Int64)
        case alreadyPresent
        case failed(message: String, willRetry: Bool)
        case interrupted

        var summary: String {
            switch self {
            case .uploaded: return "uploaded"
            case .alreadyPresent: return "already present"
            case .failed(let message, let willRetry): return (willRetry ? "failed, will retry: " : "failed: ") + message
            case .interrupted: return "interrupted"
            }
        }
    }
}
