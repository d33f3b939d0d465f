import Foundation
import Catalog
import Pipeline

/// Lets HTTP handlers block until their jobs are final (`POST /v1/generations` with `wait`)
/// without each of them polling the catalog: one pump wakes on every job the runner
/// finishes, checks all waited-for jobs in one query, and releases the waiters whose jobs
/// are all final. Jobs can also end outside the runner (a queued job cancelled through the
/// API), so the pump also looks every 50 ms while anyone waits.
actor JobCompletionWaiter {
    private struct Waiter {
        var pending: Set<String>
        var continuation: CheckedContinuation<Void, Never>
        var timeout: Task<Void, Never>?
    }

    private let catalog: any JobOverviewStore
    private let runner: JobRunner
    private var waiters: [Int: Waiter] = [:]
    private var nextID = 0
    private var pumping = false
    private var closed = false

    init(catalog: any JobOverviewStore, runner: JobRunner) {
        self.catalog = catalog
        self.runner = runner
    }

    /// Returns when every job in `ids` is final, after `timeout` seconds, or at shutdown —
    /// whichever comes first. The caller reads the jobs' states afterwards.
    func wait(for ids: [String], timeout: Double) async {
        guard !closed, !ids.isEmpty, timeout > 0 else { return }
        let id = nextID
        nextID += 1
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let timer = Task {
                // try?: the timer is cancelled when the waiter is released first; releasing again is a no-op
                try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                self.release(id)
            }
            waiters[id] = Waiter(pending: Set(ids), continuation: continuation, timeout: timer)
            if !pumping {
                pumping = true
                Task { await self.pump() }
            }
        }
    }

    /// Releases every waiter now and refuses new ones (server shutdown).
    func close() {
        closed = true
        for id in Array(waiters.keys) { release(id) }
    }

    private func release(_ id: Int) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.timeout?.cancel()
        waiter.continuation.resume()
    }

    private func pump() async {
        while !waiters.isEmpty {
            check()
            if waiters.isEmpty { break }
            await runner.waitForChange(milliseconds: 50)
        }
        pumping = false
    }

    private func check() {
        let all = Set(waiters.values.flatMap(\.pending))
        // try?: a failed read only delays the release to the next change or the timeout; the caller reads the jobs' states itself
        guard !all.isEmpty, let final = try? catalog.finalJobIDs(among: Array(all)), !final.isEmpty else { return }
        for (id, var waiter) in waiters {
            waiter.pending.subtract(final)
            if waiter.pending.isEmpty {
                release(id)
            } else {
                waiters[id] = waiter
            }
        }
    }
}
