import Foundation
import Synchronization
import XCTest
import Catalog
@testable import CatalogPostgres

/// Several hosts on one PostgreSQL catalog: two catalogs under different host names, each on
/// its own connections to the same database, race as two hosts' runners and enqueuers would.
extension PostgresCatalogContractTests {
    func testTwoHostsClaimEveryQueuedJobExactlyOnceAndNeverOverspend() throws {
        let url = try PostgresTestServer.running().makeDatabase()
        let hostA = try PostgresCatalog(url: url, host: "host-a")
        let hostB = try PostgresCatalog(url: url, host: "host-b")

        // 40 paid enqueues of $1 from both hosts (two connections each) against a $25 budget.
        let budgets = policy(daily: 25)
        let enqueued = raceEnqueues([hostA, hostB, try hostA.connectAgain(), try hostB.connectAgain()], count: 40, budgets: budgets)
        XCTAssertEqual(enqueued.other, [])
        XCTAssertEqual(enqueued.queued, 25, "the hosts together reserved more or less than the budget")
        XCTAssertEqual(enqueued.refused, 15)
        XCTAssertEqual(try status(hostB, budgets, "daily").reserved, 25, accuracy: 1e-9)
        // Free jobs too, so the runners have more to race for.
        _ = try hostA.enqueue((0..<75).map { newJob("free-\($0)", cost: nil) }, budgets: budgets, now: noon, allowPartial: false)
        let queued = Set(try hostA.jobs(state: .queued, batch: nil, limit: 1000).map(\.id))
        XCTAssertEqual(queued.count, 100)

        // Each host's runner: claim up to 3, mark each submitting (what the runner does before
        // calling the provider), until nothing is left. Both start together.
        let claims = Mutex<[String: [String]]>([:])
        let failures = Mutex<[String]>([])
        let start = DispatchSemaphore(value: 0), done = DispatchGroup()
        for host in [hostA, hostB] {
            done.enter()
            Thread {
                start.wait()
                defer { done.leave() }
                var mine: [String] = []
                do {
                    while case let claimed = try host.queuedJobs(limit: 3), !claimed.isEmpty {
                        for job in claimed {
                            try host.markSubmitting(job.id, plugin: "fake", providerModel: "provider-x", generation: 1,
                                                    tried: ["fake/provider-x"], now: Date())
                            mine.append(job.id)
                        }
                    }
                } catch {
                    failures.withLock { $0.append("\(host.host): \(error)") }
                }
                claims.withLock { $0[host.host] = mine }
            }.start()
        }
        start.signal()
        start.signal()
        done.wait()

        XCTAssertEqual(failures.withLock { $0 }, [])
        let a = claims.withLock { $0["host-a"] ?? [] }, b = claims.withLock { $0["host-b"] ?? [] }
        XCTAssertEqual(a.count + b.count, 100, "a job was claimed twice or not at all (a: \(a.count), b: \(b.count))")
        XCTAssertEqual(Set(a).intersection(b), [], "both hosts claimed these jobs")
        XCTAssertEqual(Set(a).union(b), queued)
        let submitting = try hostB.jobs(state: .submitting, batch: nil, limit: 1000)
        XCTAssertEqual(submitting.count, 100)
        XCTAssertEqual(submitting.filter { $0.submitCount != 1 }.map(\.id), [], "jobs marked submitting more than once")
        XCTAssertEqual(try hostA.queuedJobs(limit: 10).map(\.id), [])
        // Submitting keeps the reservation; still exactly the budget.
        XCTAssertEqual(try status(hostA, budgets, "daily").reserved, 25, accuracy: 1e-9)
    }

    func testAnotherHostTakesAQueuedJobOnlyOnceItsClaimHasLapsed() throws {
        let url = try PostgresTestServer.running().makeDatabase()
        let dead = try PostgresCatalog(url: url, host: "host-dead")
        let alive = try PostgresCatalog(url: url, host: "host-alive")
        _ = try dead.enqueue([newJob("x", cost: nil), newJob("y", cost: nil)], budgets: noBudgets, now: noon, allowPartial: false)

        XCTAssertEqual(try dead.queuedJobs(limit: 1).map(\.id), ["x"])
        XCTAssertEqual(try alive.queuedJobs(limit: 10).map(\.id), ["y"], "a live claim of another host was taken")
        XCTAssertEqual(try dead.queuedJobs(limit: 10).map(\.id), ["x"], "a host's own claims are renewed, the other's left alone")

        // The claiming host dies before submitting; its claim runs out.
        try dead.db.execute("UPDATE jobs SET claim_until = 0 WHERE id = 'x'")
        XCTAssertEqual(try alive.queuedJobs(limit: 10).map(\.id), ["x", "y"])
        XCTAssertEqual(try dead.queuedJobs(limit: 10).map(\.id), [], "the lapsed claim now belongs to the other host")

        // In flight, a job is resumed by its own host only, until that host stops renewing it.
        _ = try dead.enqueue([newJob("z", cost: nil)], budgets: noBudgets, now: noon, allowPartial: false)
        XCTAssertEqual(try dead.queuedJobs(limit: 10).map(\.id), ["z"])
        XCTAssertThrowsError(try dead.markSubmitting("y", plugin: "fake", providerModel: "provider-x", generation: 1, tried: [], now: noon),
                             "y is the other host's now") { XCTAssertTrue($0 is JobClaimLost, "\($0)") }
        try dead.markSubmitting("z", plugin: "fake", providerModel: "provider-x", generation: 1, tried: [], now: noon)
        try dead.recordSubmitted("z", ref: ["id": "pred-z"], state: .running, progress: 0.1, now: noon)
        XCTAssertEqual(try dead.unfinishedJobs().map(\.id), ["z"])
        XCTAssertEqual(try alive.unfinishedJobs().map(\.id), [], "a restarting host would poll another live host's job")
        try dead.db.execute("UPDATE jobs SET claim_until = 0 WHERE id = 'z'")
        XCTAssertEqual(try alive.unfinishedJobs().map(\.id), ["z"], "a dead host's job in flight is never taken over")
        XCTAssertEqual(try alive.job("z")?.jobRef, ["id": "pred-z"], "taken over from its persisted reference")

        // A requeued job is free for any host at once.
        try alive.markSubmitting("x", plugin: "fake", providerModel: "provider-x", generation: 1, tried: [], now: noon)
        try alive.requeue("x", tried: ["fake/provider-x"], error: nil, now: noon)
        XCTAssertEqual(try dead.queuedJobs(limit: 10).map(\.id), ["x"])
    }
}
