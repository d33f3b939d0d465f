import Foundation
import Synchronization
import XCTest
import Catalog
@testable import CatalogPostgres

/// Hosts that stay up while another dies: claims by model, renewals, and live take-over of the
/// dead host's jobs in flight.
extension PostgresCatalogContractTests {
    func testAHostClaimsOnlyQueuedJobsForModelsItServes() throws {
        let url = try PostgresTestServer.running().makeDatabase()
        let hostA = try PostgresCatalog(url: url, host: "host-a")
        let hostB = try PostgresCatalog(url: url, host: "host-b")
        _ = try hostA.enqueue([newJob("a", cost: nil, model: "model-a"), newJob("b", cost: nil, model: "model-b")],
                              budgets: noBudgets, now: noon, allowPartial: false)
        XCTAssertEqual(try hostB.queuedJobs(limit: 10, models: ["model-b"]).map(\.id), ["b"])
        XCTAssertEqual(try hostA.queuedJobs(limit: 10, models: ["model-a", "model-b"]).map(\.id), ["a"],
                       "host-b's live claim on b is kept; a is left for the host serving model-a")
        XCTAssertEqual(try hostA.job("a")?.state, .queued)
    }

    func testARunningHostTakesOverALapsedJobInFlightExactlyOnce() throws {
        let url = try PostgresTestServer.running().makeDatabase()
        let dead = try PostgresCatalog(url: url, host: "host-dead")
        let alive = [try PostgresCatalog(url: url, host: "host-1"), try PostgresCatalog(url: url, host: "host-2")]
        _ = try dead.enqueue([newJob("sub", cost: nil), newJob("mid", cost: nil), newJob("other", cost: nil, model: "model-z")],
                             budgets: noBudgets, now: noon, allowPartial: false)
        _ = try dead.queuedJobs(limit: 10)
        try dead.markSubmitting("sub", plugin: "fake", providerModel: "provider-x", generation: 1, tried: [], now: noon)
        try dead.recordSubmitted("sub", ref: ["id": "pred-sub"], state: .running, progress: 0.2, now: noon)
        try dead.markSubmitting("mid", plugin: "fake", providerModel: "provider-x", generation: 1, tried: [], now: noon)
        try dead.markSubmitting("other", plugin: "fake", providerModel: "provider-z", generation: 1, tried: [], now: noon)

        // Live claims are left alone, and renewing keeps them.
        XCTAssertEqual(try alive[0].takeOverLapsedJobs(models: nil).map(\.id), [])
        try dead.renewClaims(jobIDs: ["sub", "mid", "other"])
        XCTAssertEqual(try alive[1].takeOverLapsedJobs(models: nil).map(\.id), [])

        // The host dies: its claims lapse. Both live hosts look at once; each job goes to one.
        try dead.db.execute("UPDATE jobs SET claim_until = 0")
        let taken = Mutex<[String: [String]]>([:])
        let start = DispatchSemaphore(value: 0), done = DispatchGroup()
        for host in alive {
            done.enter()
            Thread {
                start.wait()
                defer { done.leave() }
                do {
                    let jobs = try host.takeOverLapsedJobs(models: ["model-a"])
                    taken.withLock { $0[host.host] = jobs.map(\.id) }
                } catch {
                    taken.withLock { $0[host.host] = ["error: \(error)"] }
                }
            }.start()
        }
        start.signal(); start.signal()
        done.wait()
        let all = taken.withLock { $0.values.flatMap { $0 } }
        XCTAssertEqual(all.sorted(), ["mid", "sub"], "each lapsed job taken by exactly one host; model-z left: \(taken.withLock { $0 })")
        let winner = try XCTUnwrap(alive.first { host in taken.withLock { $0[host.host] ?? [] }.contains("sub") })
        XCTAssertEqual(try winner.job("sub")?.jobRef, ["id": "pred-sub"], "resumed from its persisted reference")
        XCTAssertEqual(try winner.job("mid")?.submitCount, 1, "taking over does not count a submit")
        XCTAssertEqual(try winner.unfinishedJobs().map(\.id).filter { $0 != "other" }.sorted(),
                       taken.withLock { $0[winner.host] ?? [] }.sorted())

        // The dead host cannot renew a claim it lost (a host that only seemed dead).
        try dead.renewClaims(jobIDs: ["sub", "mid"])
        XCTAssertEqual(try winner.db.query("SELECT claimed_by FROM jobs WHERE id = 'sub'").first?["claimed_by"]?.string, winner.host)
        // Without a model filter the last lapsed job goes to the first host that looks.
        XCTAssertEqual(try alive[0].takeOverLapsedJobs(models: nil).map(\.id), ["other"])
        XCTAssertEqual(try alive[1].takeOverLapsedJobs(models: nil).map(\.id), [])
    }

    func testAHostWhoseClaimLapsedCannotSubmitAJobAnotherHostTookOver() throws {
        let url = try PostgresTestServer.running().makeDatabase()
        let stalled = try PostgresCatalog(url: url, host: "host-stalled")
        let other = try PostgresCatalog(url: url, host: "host-other")
        _ = try stalled.enqueue([newJob("q", cost: nil), newJob("s", cost: nil)], budgets: noBudgets, now: noon, allowPartial: false)
        XCTAssertEqual(try stalled.queuedJobs(limit: 10).map(\.id).sorted(), ["q", "s"])
        try stalled.markSubmitting("s", plugin: "fake", providerModel: "provider-x", generation: 1, tried: [], now: noon)

        // The stalled host's claims lapse; the other host claims the queued job and takes over the one being sent.
        try stalled.db.execute("UPDATE jobs SET claim_until = 0")
        XCTAssertEqual(try other.queuedJobs(limit: 10).map(\.id), ["q"])
        XCTAssertEqual(try other.takeOverLapsedJobs(models: nil).map(\.id), ["s"])

        // The stalled host wakes up: neither job may be marked for a submit by it (it would be sent twice).
        for id in ["q", "s"] {
            XCTAssertThrowsError(try stalled.markSubmitting(id, plugin: "fake", providerModel: "provider-x", generation: 1, tried: [], now: noon),
                                 id) { XCTAssertTrue($0 is JobClaimLost, "\($0)") }
            XCTAssertEqual(try other.db.query("SELECT claimed_by FROM jobs WHERE id = $1", [.text(id)]).first?["claimed_by"]?.string, other.host)
        }
        XCTAssertEqual(try other.job("s")?.submitCount, 1)
        XCTAssertEqual(try other.job("q")?.state, .queued)
        // The holder marks it; once the holder's claim lapses in turn, the stalled host may (a dead holder's job is free).
        try other.markSubmitting("q", plugin: "fake", providerModel: "provider-x", generation: 1, tried: [], now: noon)
        try other.db.execute("UPDATE jobs SET claim_until = 0 WHERE id = 'q'")
        XCTAssertNoThrow(try stalled.markSubmitting("q", plugin: "fake", providerModel: "provider-x", generation: 1, tried: [], now: noon))
    }
}
