import Dispatch
import Foundation
import Synchronization
import ImagegenCore
import Pipeline
import PluginHost

/// Keeps the loaded plugins in step with the plugins folder while the server runs.
///
/// Every `interval` it `stat`s the folder (no reads, no hashing). When what it sees differs
/// from what was last applied, it waits until the folder has been identical for two looks
/// in a row and every file is at least `settle` old — a copy still in progress keeps
/// changing size or time, so it is never loaded half-written — and then runs
/// `PluginSet.rescan()`: new files load, changed files become a new generation (the old one
/// drains and retires), removed files leave routing, refused files are reported while the
/// old generation keeps serving.
///
/// A new generation starts with closed circuits (`HealthBoard.reset(plugin:)`): that is how
/// an operator hot-swaps a failing provider — drop the fixed `.so` in, traffic returns to it.
///
/// Rescans run one at a time on the watcher's queue, whether the timer or
/// `POST /v1/plugins/reload` asked for them. Safe copies are renamed into place (or copied
/// under a hidden `.name.so` first): hidden files are ignored.
package final class PluginFolderWatcher: Sendable {
    /// A change with the time it was applied, for `GET /v1/plugins`.
    package struct Event: Sendable, Codable, Equatable {
        package var at: Date
        package var change: PluginChangeReport
    }

    package let plugins: PluginSet
    let health: HealthBoard
    let log: Log
    let intervalMilliseconds: Int
    let settleMilliseconds: Int
    private let onChanges: @Sendable ([PluginSet.Change]) -> Void
    private let queue = DispatchQueue(label: "imagegen.plugin-folder-watcher")
    private let state = Mutex(State())
    static let historyLimit = 50

    struct State {
        var running = false
        /// The folder as of the last rescan (nil: rescan at the next stable look).
        var applied: PluginFolderSnapshot?
        /// The folder at the previous look.
        var seen: PluginFolderSnapshot?
        var history: [Event] = []
        var rescans = 0
    }

    package init(plugins: PluginSet, health: HealthBoard, log: Log, intervalMilliseconds: Int = 250,
                settleMilliseconds: Int = 500, onChanges: @escaping @Sendable ([PluginSet.Change]) -> Void = { _ in }) {
        self.plugins = plugins
        self.health = health
        self.log = log
        self.intervalMilliseconds = intervalMilliseconds
        self.settleMilliseconds = settleMilliseconds
        self.onChanges = onChanges
    }

    /// Starts looking. The first stable look rescans once more, which picks up files that
    /// were too fresh for the initial scan.
    package func start() {
        let start = state.withLock { s -> Bool in
            guard !s.running else { return false }
            s.running = true
            return true
        }
        if start { scheduleLook() }
    }

    /// Stops looking; returns once no rescan is running.
    package func stop() {
        state.withLock { $0.running = false }
        queue.sync {}
    }

    private func scheduleLook() {
        queue.asyncAfter(deadline: .now() + .milliseconds(intervalMilliseconds)) { [weak self] in
            guard let self, self.state.withLock({ $0.running }) else { return }
            self.look()
            self.scheduleLook()
        }
    }

    /// Rescans now (`POST /v1/plugins/reload`, `imagegen plugins reload`). Files younger than
    /// the settle time are still left for a later scan.
    package func reload() async -> [PluginChangeReport] {
        await withCheckedContinuation { continuation in
            queue.async {
                let changes = self.apply(PluginFolderSnapshot.take(self.plugins.directory))
                continuation.resume(returning: changes.map(PluginChangeReport.init))
            }
        }
    }

    /// The last changes applied, oldest first.
    package var history: [Event] { state.withLock { $0.history } }

    /// Whether the folder holds changes not applied yet (a file still being copied, or younger
    /// than the settle time): health is not "ok" while the plugins it will serve are unknown.
    package var isSettling: Bool {
        PluginFolderSnapshot.take(plugins.directory) != state.withLock { $0.applied }
    }

    /// Rescans done since start (for tests and metrics).
    package var rescanCount: Int { state.withLock { $0.rescans } }

    // MARK: - On the queue

    private func look() {
        let snapshot = PluginFolderSnapshot.take(plugins.directory)
        let (applied, seen) = state.withLock { s in
            defer { s.seen = snapshot }
            return (s.applied, s.seen)
        }
        guard snapshot != applied else { return }
        // Changed since the previous look: still being written, or just arrived. Look again.
        guard snapshot == seen else { return }
        guard isSettled(snapshot) else { return }
        log.debug("plugin folder changed: rescanning \(plugins.directory)")
        apply(snapshot)
    }

    private func isSettled(_ snapshot: PluginFolderSnapshot) -> Bool {
        guard settleMilliseconds > 0, let newest = snapshot.newestModification else { return true }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nowNanoseconds = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
        return nowNanoseconds - newest >= Int64(settleMilliseconds) * 1_000_000
    }

    @discardableResult
    private func apply(_ snapshot: PluginFolderSnapshot) -> [PluginSet.Change] {
        let changes = plugins.rescan()
        let now = Date()
        for change in changes {
            switch change {
            case .loaded(_, let id, _, _), .swapped(_, let id, _, _), .removed(_, let id):
                // A new generation starts with closed circuits; a removed plugin's go with it.
                health.reset(plugin: id)
            case .refused:
                break
            }
        }
        state.withLock { s in
            // A file too fresh for PluginSet was skipped: look at the folder again later.
            s.applied = isSettled(snapshot) ? snapshot : nil
            s.rescans += 1
            s.history += changes.map { Event(at: now, change: PluginChangeReport($0)) }
            if s.history.count > PluginFolderWatcher.historyLimit {
                s.history.removeFirst(s.history.count - PluginFolderWatcher.historyLimit)
            }
        }
        if !changes.isEmpty { onChanges(changes) }
        return changes
    }
}
