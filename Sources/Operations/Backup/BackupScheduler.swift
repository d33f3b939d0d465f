import Foundation
import ImagegenCore

/// The daily backup inside `imagegen serve`: once a day at `backup.at` (UTC), and at start when the
/// newest backup at the destination is older than the last scheduled time (a host that was down at
/// 03:30 catches up when it comes back, once). A failed backup is retried after `retryInterval`.
///
/// The clock is injected and `runIfDue()` is the whole decision, so tests drive it with a manual
/// clock instead of waiting; `start()` only adds a loop that calls it and sleeps until the next time.
package actor BackupScheduler {
    package typealias FailureHandler = @Sendable (BackupError) -> Void

    let writer: BackupWriter
    let destination: BackupDestination
    let hour: Int
    let minute: Int
    let clock: @Sendable () -> Date
    let log: Log
    let onFailure: FailureHandler?
    package var retryInterval: TimeInterval = 3600

    /// The newest backup known (read from the destination on first use).
    package private(set) var lastBackup: Date?
    var lookedAtDestination = false
    var lastFailure: Date?
    var loop: Task<Void, Never>?

    package init(writer: BackupWriter, destination: BackupDestination, configuration: BackupConfiguration, log: Log,
                clock: @escaping @Sendable () -> Date = { Date() }, onFailure: FailureHandler? = nil) {
        self.writer = writer
        self.destination = destination
        self.hour = configuration.hour
        self.minute = configuration.minute
        self.clock = clock
        self.log = log
        self.onFailure = onFailure
    }

    /// The first scheduled time (HH:MM UTC) strictly after `date`.
    package func nextRun(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var components = calendar.dateComponents([.year, .month, .day], from: date)
        components.hour = hour
        components.minute = minute
        components.second = 0
        let today = calendar.date(from: components)!
        return today > date ? today : calendar.date(byAdding: .day, value: 1, to: today)!
    }

    /// Whether a backup is due at `now`: none yet, or a scheduled time has passed since the last one
    /// (and no failure in the last `retryInterval`).
    package func isDue(now: Date) -> Bool {
        if let lastFailure, now.timeIntervalSince(lastFailure) < retryInterval { return false }
        guard let lastBackup else { return true }
        return now >= nextRun(after: lastBackup)
    }

    /// Runs a backup when one is due; returns it (nil when not due or when it failed).
    @discardableResult
    package func runIfDue() async -> BackupResult? {
        if !lookedAtDestination {
            lookedAtDestination = true
            do { lastBackup = try await writer.latest(at: destination)?.createdAt } catch {
                log.warning("cannot list backups at \(destination): \(error)", source: "backup")
            }
        }
        let now = clock()
        guard isDue(now: now) else { return nil }
        do {
            let result = try await writer.write(to: destination)
            lastBackup = BackupArchiveName(fileName: result.name)?.createdAt ?? now
            lastFailure = nil
            log.info("backup \(result.location) written (\(result.bytes) bytes, \(result.manifest.files.count) files)"
                     + (result.pruned.isEmpty ? "" : "; removed by retention: \(result.pruned.joined(separator: ", "))"),
                     source: "backup")
            if let retentionError = result.retentionError {
                log.warning("backup retention could not be applied: \(retentionError)", source: "backup")
            }
            return result
        } catch {
            lastFailure = now
            log.error("scheduled backup to \(destination) failed (retrying in \(Int(retryInterval / 60)) min): \(error)",
                      source: "backup")
            onFailure?(error)
            return nil
        }
    }

    /// Runs `runIfDue()` now and then around each scheduled time until `stop()`. Sleeps at most
    /// `maxSleep` at a time, so a clock change or a suspended machine is noticed.
    /// - Parameter mayRun: asked before each check; false skips it (another host makes the backups).
    package func start(maxSleep: Duration = .seconds(300), mayRun: @escaping @Sendable () -> Bool = { true }) {
        guard loop == nil else { return }
        loop = Task {
            while !Task.isCancelled {
                if mayRun() { await self.runIfDue() }
                let wait = self.secondsUntilNextCheck()
                let capped = min(Duration.milliseconds(Int64(max(1, wait) * 1000)), maxSleep)
                // try?: cancellation ends the wait early and the loop condition stops
                try? await Task.sleep(for: capped)
            }
        }
    }

    package func stop() async {
        loop?.cancel()
        await loop?.value
        loop = nil
    }

    func secondsUntilNextCheck() -> TimeInterval {
        let now = clock()
        var next = nextRun(after: lastBackup ?? now)
        if let lastFailure { next = min(next, lastFailure.addingTimeInterval(retryInterval)) }
        return next.timeIntervalSince(now)
    }
}
