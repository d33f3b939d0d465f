import Foundation
import Synchronization
import ImagegenJSON
import XCTest
@testable import CatalogPostgres
@testable import CloudStorage
@testable import Crypto

/// The issue's end-to-end test: three `imagegen serve` processes on one PostgreSQL catalog and one
/// S3 bucket (moto), generations spread over them through the HTTP API, the host running the
/// singletons killed with SIGKILL while it has jobs in flight. Counted from what really happened:
/// the catalog's rows, the provider's own submit log (Preview appends every submit's job id to
/// a file), the files in the three data folders, the bucket.
final class ThreeHostScaleOutTests: XCTestCase {
    typealias ServeProcess = ServerProcessTests.ServeProcess
    static let generations = 600
    /// Failures as they are recorded (from the workers' tasks too), printed again as the test's
    /// last lines: a CI log excerpt keeps only the tail of a long test's output.
    private let failures = Mutex<[String]>([])

    override func recordFailure(withDescription description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool) {
        failures.withLock { $0.append("line \(lineNumber): \(description.prefix(400))") }
        super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
    }

    override class func tearDown() {
        MotoS3Server.stopShared()
        super.tearDown()
    }

    func testThreeHostsLoseNothingAndSubmitNothingTwiceWhenOneIsKilled() async throws {
        defer { for failure in failures.withLock({ $0 }) { print("three hosts: FAILED \(failure)") } }
        let began = Date()
        func mark(_ what: String) { print("three hosts: \(what) after \(String(format: "%.1f", Date().timeIntervalSince(began))) s") }
        let url = try PostgresTestServer.running().makeDatabase()
        let moto = try await MotoS3Server.shared()
        let bucket = MotoS3Server.uniqueBucketName()
        let s3 = try S3Client(configuration: moto.configuration(bucket: bucket), credentials: moto.credentials)
        try await s3.createBucket()
        let root = TestEnvironment.temporaryDirectory("three-hosts")
        let submits = root + "/submits.log"
        // Preview built to declare non-idempotent submits: a job whose submit outcome is unknown
        // must then be failed, never sent again, so every line in the submit log is a real submit.
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let strict = try TestHost.compilePreviewVariant(id: "preview-strict", extraDefines: ["PREVIEW_NOT_IDEMPOTENT"], into: root)

        // A maintenance slot starting at the next minute: due while the hosts run.
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let slotStart = utc.dateInterval(of: .minute, for: Date())!.end
        let hm = { (d: Date) in String(format: "%02d:%02d", utc.component(.hour, from: d), utc.component(.minute, from: d)) }
        let slotEnd = min(slotStart.addingTimeInterval(20 * 60), utc.startOfDay(for: slotStart).addingTimeInterval(24 * 3600 - 60))
        let config = """
            { providers: { "preview-strict": { latency_ms: 50, submit_log: "\(submits)" } },
              models: { preview: { price: { per_image: 1 } } },
              categories: { scarce: { adult: false } }, budgets: { categories: { scarce: { daily: 5 } } },
              jobs: { concurrency: 6, poll_interval_ms: 20 },
              storage: { s3: { endpoint: "\(moto.endpoint.absoluteString)", region: "us-east-1", bucket: "\(bucket)", prefix: "e2e" },
                         sidecars: false },
              imaging: { postProcessing: { automatic: false } },
              alerts: { evaluate_every_seconds: 1, file: false },
              plans: { time_zone: "UTC", daily: { slots: [
                { id: "daily/e2e", start: "\(hm(slotStart))", end: "\(hm(slotEnd))", kind: "maintenance" } ] } } }
            """
        let hosts = try (0..<3).map { try TestHost(label: "three-hosts-\($0)", plugins: [], extraPlugins: [strict], config: config) }
        var environment = ["IMAGEGEN_CATALOG_URL": url, "IMAGEGEN_CLAIM_LEASE_SECONDS": "3",
                           "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": moto.credentials.secretAccessKey]
        func start(_ i: Int) throws -> ServeProcess {
            var env = environment
            env["IMAGEGEN_HOST_NAME"] = "host-\(i)"
            return try ServeProcess(hosts[i], environment: env)
        }
        var serves: [ServeProcess] = []
        defer {
            for serve in serves where serve.process.isRunning { kill(serve.process.processIdentifier, SIGKILL) }
            for path in [root] + hosts.map(\.root) { try? FileManager.default.removeItem(atPath: path) }  // try?: a leftover temp folder fails nothing
        }
        serves.append(try start(0))
        try await serves[0].waitUntilListening()
        // One prompt key for every host (prompts are sealed in the shared catalog).
        environment["IMAGEGEN_MASTER_KEY_FILE"] = hosts[0].paths.data + "/keys/master.key"
        serves += [try start(1), try start(2)]
        for serve in serves {
            try await serve.waitUntilListening()
            try await ScaleOutTestSupport.waitForModel("preview", on: serve)
        }
        mark("hosts up")
        let catalog = try PostgresCatalog(url: url, host: "observer")

        // Phase 1: half the generations over the three hosts, 12 requests at a time.
        let half = Self.generations / 2
        var accepted = try await Self.generate(count: half, over: serves.map(\.client), label: "one")
        XCTAssertEqual(accepted.count, half)

        // Kill the host that runs the singletons (scheduler included) once it has jobs in flight.
        let holder = try XCTUnwrap(serves.indices.first { serves[$0].output.lines.contains { $0.contains(SingletonTakeoverTests.holderLine) } },
                                   "no host runs the singletons")
        let victimName = "host-\(holder):\(serves[holder].process.processIdentifier)"
        var inFlight: [String] = []
        let deadline = Date().addingTimeInterval(30)
        repeat {
            inFlight = try catalog.db.query("""
                SELECT id FROM jobs WHERE claimed_by = $1 AND state IN ('submitting','submitted','running')
                """, [.text(victimName)]).compactMap { $0["id"]?.string }
            if !inFlight.isEmpty { break }
            try await Task.sleep(nanoseconds: 5_000_000)
        } while Date() < deadline
        XCTAssertFalse(inFlight.isEmpty, "the victim never had a job in flight")
        mark("phase one enqueued")
        kill(serves[holder].process.processIdentifier, SIGKILL)
        _ = await serves[holder].waitForExit()
        let survivors = serves.indices.filter { $0 != holder }
        // What the victim held when it died (read after the kill: nothing changes it any more).
        let orphaned = try catalog.db.query("""
            SELECT id, state FROM jobs WHERE claimed_by = $1 AND state IN ('submitting','submitted','running')
            """, [.text(victimName)]).compactMap { $0["id"]?.string }

        // Phase 2: the other half over the survivors, while 20 requests race for a budget of 5.
        let survivorClients = survivors.map { serves[$0].client }
        async let rest = Self.generate(count: Self.generations - half, over: survivorClients, label: "two")
        async let race = Self.raceBudget(over: survivorClients)
        let (more, budget) = try await (rest, race)
        accepted += more
        XCTAssertEqual(budget.statuses.filter(ScaleOutTestSupport.isAccepted).count, 5, "requests against a budget for 5: \(budget.statuses)")
        XCTAssertEqual(budget.statuses.filter { $0 == 402 }.count, 15, "\(budget.statuses)")
        accepted += budget.jobs
        XCTAssertEqual(Set(accepted).count, Self.generations + 5)

        mark("phase two enqueued")
        // Every job ends, the victim's taken over by a live host once their claims lapsed.
        let survivor = serves[survivors[0]]
        let states = try await ScaleOutTestSupport.waitForTerminal(accepted, on: survivor.client, seconds: 120)
        let notSucceeded = states.filter { $0.value != "succeeded" }
        // A job the victim was sending when it died has an unknown outcome: failed as such (Preview
        // cannot reconcile), never sent again. Nothing else may fail.
        for (id, state) in notSucceeded {
            XCTAssertEqual(state, "failed", "\(id) did not finish: \(state)")
            XCTAssertTrue(orphaned.contains(id), "\(id) failed but the killed host did not hold it")
            let code = try catalog.job(id)?.errorCode
            XCTAssertEqual(code, "submit_outcome_unknown", "\(id)")
        }
        XCTAssertEqual(states.count, accepted.count, "0 lost jobs")
        let takenOver = orphaned.filter { id in survivors.contains { serves[$0].output.lines.contains { $0.contains("taking over \(id)") } } }
        XCTAssertEqual(Set(takenOver), Set(orphaned), "every job in flight on the killed host is taken over by a running host")
        XCTAssertFalse(orphaned.isEmpty)

        mark("all jobs terminal")
        // 0 double submissions: the provider's own log, one line per submit.
        let submitted = ServerTestHarness.submitLog(submits).map { String($0.split(separator: " ")[0]) }
        let counts = Dictionary(submitted.map { ($0, 1) }, uniquingKeysWith: +)
        XCTAssertEqual(counts.filter { $0.value > 1 }.keys.sorted(), [], "submitted twice")
        let succeeded = states.filter { $0.value == "succeeded" }.map(\.key)
        XCTAssertEqual(succeeded.filter { counts[$0] != 1 }, [], "succeeded without exactly one submit")
        XCTAssertEqual(try catalog.db.query("SELECT COUNT(*) AS n FROM jobs WHERE submit_count > 1").first?["n"]?.int, 0)

        // The killed host comes back (same data folder) and uploads what it stored before dying.
        // Its first life's log stays in the record: the slot may have run there before the kill.
        let killed = serves[holder]
        serves[holder] = try start(holder)
        try await serves[holder].waitUntilListening()
        let uploadDeadline = Date().addingTimeInterval(60)
        var waiting: Int64 = -1
        repeat {
            waiting = try catalog.db.query("SELECT COUNT(*) AS n FROM uploads WHERE state <> 'uploaded'").first?["n"]?.int ?? -1
            if waiting == 0 { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        } while Date() < uploadDeadline
        let left = try catalog.db.query("SELECT file_path, state, origin, last_error FROM uploads WHERE state <> 'uploaded' LIMIT 5")
        XCTAssertEqual(waiting, 0, "uploads left: \(left)")

        mark("uploads done")
        // 0 duplicate files: one image row per job, each file in exactly one data folder, one object each.
        let images = try catalog.db.query("SELECT id, job_id, file_path, content_sha256 FROM images WHERE variant = 'original'")
        XCTAssertEqual(images.count, succeeded.count)
        XCTAssertEqual(Set(images.compactMap { $0["job_id"]?.string }), Set(succeeded), "one image per succeeded job")
        // A job the killed host had stored the file of but not yet committed is stored again by the
        // host that takes it over: the killed host's copy has no row and is never served or uploaded
        // (a stray file on the dead machine). Any other second copy is a duplicate.
        for image in images {
            let path = try XCTUnwrap(image["file_path"]?.string)
            let holders = hosts.indices.filter { FileManager.default.fileExists(atPath: hosts[$0].paths.data + "/" + path) }
            if holders.count == 2, holders.contains(holder), orphaned.contains(image["job_id"]?.string ?? "") { continue }
            XCTAssertEqual(holders.count, 1, "\(path) is in \(holders.count) data folders")
        }
        let objects = try await s3.listObjects(prefix: "e2e")
        XCTAssertEqual(objects.count, images.count, "one object per image")

        // Every image reachable from every surviving host, with the catalog's checksum.
        let expected = Dictionary(uniqueKeysWithValues: images.compactMap { r in
            r["id"]?.string.flatMap { id in r["content_sha256"]?.string.map { (id, $0) } } })
        for s in survivors {
            let unreachable = try await Self.fetchAll(expected, from: serves[s].client)
            XCTAssertEqual(unreachable, [], "from host-\(s)")
        }

        mark("images fetched")
        // The plan slot ran exactly once across the hosts (it came due during the run).
        let slotWait = Date().addingTimeInterval(max(5, slotStart.timeIntervalSinceNow + 45))
        var runs: [PostgresDatabase.Row] = []
        repeat {
            runs = try catalog.db.query("SELECT occurrence_key, status FROM slot_runs WHERE slot_id = 'daily/e2e'")
            if runs.first?["status"]?.string == "completed" { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        } while Date() < slotWait
        XCTAssertEqual(runs.count, 1, "\(runs)")
        XCTAssertEqual(runs.first?["status"]?.string, "completed")
        let ranOn = (serves + [killed]).filter { $0.output.lines.contains { $0.contains("maintenance slot daily/e2e") } }
        XCTAssertEqual(ranOn.count, 1, "the slot's work ran on \(ranOn.count) hosts")

        for i in serves.indices where i != holder || serves[i].process.isRunning { serves[i].process.terminate() }
        for serve in serves { _ = await serve.waitForExit() }
    }

    /// `count` POSTs of one 64×64 image each, round-robin over `clients`, 12 at a time. Returns the job ids.
    static func generate(count: Int, over clients: [ServerTestClient], label: String) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<12 {
                group.addTask {
                    var ids: [String] = []
                    for i in stride(from: worker, to: count, by: 12) {
                        let r = try await clients[i % clients.count].generate(
                            ["prompt": .string("a paper boat on a pond, \(label) \(i)"), "parameters": ["width": 64, "height": 64]])
                        XCTAssertTrue(ScaleOutTestSupport.isAccepted(r.status), "\(r.status): \(r.text)")
                        ids += r.json?["jobs"]?.array?.compactMap { $0["id"]?.string } ?? []
                    }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// 20 requests at once, spread over `clients`, in a category whose daily budget holds 5 images.
    static func raceBudget(over clients: [ServerTestClient]) async throws -> (statuses: [Int], jobs: [String]) {
        try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            for i in 0..<20 {
                group.addTask {
                    let r = try await clients[i % clients.count].generate(
                        ["prompt": .string("a rare blue orchid \(i)"), "category": "scarce", "parameters": ["width": 64, "height": 64]])
                    return (r.status, r.json?["jobs"]?.array?.compactMap { $0["id"]?.string } ?? [])
                }
            }
            return try await group.reduce(into: ([], [])) { $0.0.append($1.0); $0.1 += $1.1 }
        }
    }

    /// Image ids whose `/file` did not answer their catalog checksum from this host.
    static func fetchAll(_ expected: [String: String], from client: ServerTestClient) async throws -> [String] {
        let ids = Array(expected.keys)
        return try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<12 {
                group.addTask {
                    var bad: [String] = []
                    for i in stride(from: worker, to: ids.count, by: 12) {
                        let r = try await client.get("/v1/images/\(ids[i])/file")
                        if r.status != 200 || SHA256Digest.of(r.body).hex != expected[ids[i]] { bad.append("\(ids[i]): \(r.status) \(r.text.prefix(200))") }
                    }
                    return bad
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }
}
