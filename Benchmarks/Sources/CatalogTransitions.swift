import Foundation
import Synchronization
import Catalog
import CatalogPostgres
import ImagegenCore
import ImagegenJSON

/// `Benchmarks catalog-transitions URL [workers] [jobs]`: job transitions per second on a
/// PostgreSQL catalog, the queue's own cost without providers or files. `workers` threads, each
/// its own connection and host name (as that many hosts' runners), drive `jobs` queued jobs
/// through what the runner writes per job: claim (queuedJobs), markSubmitting, recordSubmitted,
/// recordProgress, finish — five transitions. The database at URL must be empty (it is migrated).
func catalogTransitions() throws {
    guard arguments.count >= 2 else {
        print("usage: Benchmarks catalog-transitions postgresql://user@host:port/db [workers=4] [jobs=4000]")
        exit(2)
    }
    let url = arguments[1]
    let workers = arguments.count > 2 ? Int(arguments[2]) ?? 4 : 4
    let jobs = arguments.count > 3 ? Int(arguments[3]) ?? 4000 : 4000
    let setup = try PostgresCatalog(url: url, host: "bench-setup")
    let now = Date()
    let batch = UUID().uuidString.prefix(8)
    var queued = 0
    while queued < jobs {
        let chunk = (queued..<min(jobs, queued + 500)).map { i in
            NewJob(id: "job_\(batch)_\(i)", batchID: "b_\(batch)", model: "preview", category: "general", priority: 0,
                   prompt: "a red cup \(i)", negativePrompt: nil, parameters: GenerationParameters(width: 64, height: 64, seed: UInt32(i)),
                   outputs: 1, tags: [], extra: [:], expectedCost: nil, deadline: now.addingTimeInterval(3600), idempotencyKey: nil)
        }
        queued += try setup.enqueue(chunk, budgets: BudgetPolicy(settings: BudgetSettings()), now: now, allowPartial: false).count
    }
    let catalogs = try (0..<workers).map { try PostgresCatalog(url: url, host: "bench-\($0)") }
    let done = Atomic<Int>(0), failures = Mutex<[String]>([])
    let group = DispatchGroup()
    let start = Date()
    for catalog in catalogs {
        group.enter()
        Thread {
            defer { group.leave() }
            do {
                while case let claimed = try catalog.queuedJobs(limit: 8), !claimed.isEmpty {
                    for job in claimed {
                        let t = Date()
                        try catalog.markSubmitting(job.id, plugin: "preview", providerModel: "preview-1", generation: 1,
                                                   tried: ["preview/preview-1"], now: t)
                        try catalog.recordSubmitted(job.id, ref: ["id": .string(job.id)], state: .submitted, progress: nil, now: t)
                        try catalog.recordProgress(job.id, state: .running, progress: 0.5, ref: nil, now: t)
                        try catalog.finish(job.id, state: .succeeded, cost: nil, costSource: nil, providerTime: 0.01, error: nil, now: t)
                        done.add(1, ordering: .relaxed)
                    }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }.start()
    }
    group.wait()
    let elapsed = Date().timeIntervalSince(start)
    let finished = done.load(ordering: .relaxed)
    let succeeded = try setup.countJobs(state: .succeeded)
    print(String(format: "catalog-transitions postgresql, %d worker(s): %d jobs × 5 transitions in %.2f s = %.0f transitions/s "
                 + "(%.0f jobs/s); %d succeeded in the catalog; load average %@",
                 workers, finished, elapsed, Double(finished * 5) / elapsed, Double(finished) / elapsed, succeeded, loadAverage()))
    for failure in failures.withLock({ $0 }) { print("worker failed: \(failure)") }
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"  // try?: the load average is context for the reader, not part of the measurement
}
