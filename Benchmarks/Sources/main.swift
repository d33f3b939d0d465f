import Foundation
import Synchronization
import Host
import ImagegenJSON
import Catalog
import CatalogSQLite
import ImagegenConfig
import ImagegenCore
import Imaging
import Pipeline
import PluginHost

/// imagegen's benchmarks (release build: `swift build -c release`, then
/// `.build/release/Benchmarks <name> [options]`; Benchmarks/run.sh runs them all).
///
///   plugin-load   load + describe N copies of Preview (N = 1, 10, 100): median per plugin
///   plugin-call   one host→plugin call through the table (poll on Preview): median
///   plugin-isolation  poll isolated vs in-process, child restart after a crash, RSS per child
///   pipeline      jobs/s end to end with Preview at zero latency, concurrency 1 and 16;
///                 host overhead percentiles; RSS with 10,000 queued jobs
///   catalog-transitions URL [workers] [jobs]
///                 job transitions/s on a PostgreSQL catalog (Benchmarks/catalog-transitions.sh starts one)
let arguments = Array(CommandLine.arguments.dropFirst())
let buildDir = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
let previewPath = buildDir + "/libimagegen-preview.so"

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s[s.count / 2]
}
func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s[min(s.count - 1, Int((Double(s.count) * p).rounded(.up)) - 1)]
}
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
/// CPU seconds (user + system) used by this process: unlike wall time, not inflated when the
/// machine is shared.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// A memory figure of this process from /proc/self/status ("VmRSS", "VmHWM" = peak), in MB.
func statusMB(_ field: String) -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "0").map { $0 / 1024 } ?? 0
    }
    return 0
}
func rssMB() -> Double { statusMB("VmRSS") }
func peakRSSMB() -> Double { statusMB("VmHWM") }
func tempDir(_ label: String) -> String {
    let p = NSTemporaryDirectory() + "imagegen-bench-\(label)-\(getpid())"
    try? FileManager.default.removeItem(atPath: p)
    try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    return p
}

/// The `imagegen` next to this benchmark (the plugin runner), when built.
nonisolated var builtRunner: String? {
    let path = ((CommandLine.arguments[0] as NSString).deletingLastPathComponent as NSString).appendingPathComponent("imagegen")
    return FileManager.default.isExecutableFile(atPath: path) ? path : nil
}

func pluginLoad() {
    let quiet = Log(minimum: .error)
    pluginLoad(label: "in process", loader: { _ in PluginLoader(log: quiet, secrets: EnvironmentSecrets(environment: [:]), runner: nil) })
    guard let runner = builtRunner else { return print("plugin-load isolated: no imagegen next to this binary; build it (-c release)") }
    // The default mode: isolated, every file described before (a second process on the same data folder).
    pluginLoad(label: "isolated, from the describe cache", loader: { dir in
        PluginLoader(log: quiet, secrets: EnvironmentSecrets(environment: [:]), runner: runner, describeCache: dir + "/.describe")
    }, prime: true)
}

func pluginLoad(label: String, loader: (String) -> PluginLoader, prime: Bool = false) {
    let quiet = Log(minimum: .error)
    for count in [1, 10, 100] {
        var perPlugin: [Double] = []
        var cpuPerPlugin: [Double] = []
        for round in 0..<5 {
            let dir = tempDir("load-\(count)-\(round)")
            for i in 0..<count {
                // Distinct ids, so the folder loads as N plugins (one byte of the id differs).
                var bytes = [UInt8](FileManager.default.contents(atPath: previewPath)!)
                let needle = Array(#""id":"preview""#.utf8)
                let replacement = Array(String(format: #""id":"p%06d""#, i).utf8)
                if let at = (0...(bytes.count - needle.count)).first(where: { bytes[$0..<$0 + needle.count].elementsEqual(needle) }) {
                    bytes.replaceSubrange(at..<at + needle.count, with: replacement)
                }
                try! Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/p\(i).so"))
            }
            if prime {
                let first = PluginSet(directory: dir, loader: loader(dir), log: quiet, providerConfig: [:])
                _ = first.rescan()
                first.shutdown()
            }
            let set = PluginSet(directory: dir, loader: loader(dir), log: quiet, providerConfig: [:])
            let t0 = now(), c0 = cpuSeconds()
            let changes = set.rescan()
            let t1 = now(), c1 = cpuSeconds()
            cpuPerPlugin.append((c1 - c0) / Double(count) * 1000)
            precondition(set.generations.count == count, "only \(set.generations.count) of \(count) loaded: \(changes)")
            perPlugin.append((t1 - t0) / Double(count) * 1000)
            set.shutdown()
            try? FileManager.default.removeItem(atPath: dir)
        }
        print(String(format: "plugin-load %@ %3d plugins: median %.3f ms wall, %.3f ms CPU per plugin (wall rounds: %@)",
                     label, count, median(perPlugin), median(cpuPerPlugin), perPlugin.map { String(format: "%.3f", $0) }.joined(separator: " ")))
    }
}

func pluginCall() throws {
    let dir = tempDir("call")
    try FileManager.default.copyItem(atPath: previewPath, toPath: dir + "/preview.so")
    let quiet = Log(minimum: .error)
    let set = PluginSet(directory: dir, loader: PluginLoader(log: quiet, secrets: EnvironmentSecrets(environment: [:])),
                        log: quiet, providerConfig: [:])
    set.rescan()
    let instance = try set.instance(forPlugin: "preview")
    let submitted = try instance.submit(["schema": 1, "job_id": "b", "model": "preview-1", "prompt": "x", "width": 64, "height": 64, "seed": 1])
    let ref = submitted["ref"]!
    var samples: [Double] = []
    for _ in 0..<20 {
        let n = 20_000
        let t0 = now()
        for _ in 0..<n { _ = try instance.poll(ref) }
        samples.append((now() - t0) / Double(n) * 1e9)
    }
    print(String(format: "plugin-call  poll with JSON on both sides (encode ref, call, copy, release, parse): median %.0f ns per call", median(samples)))
    let refBytes = [UInt8](ref.encoded())
    samples = []
    for _ in 0..<20 {
        let n = 200_000
        let t0 = now()
        for _ in 0..<n { _ = try instance.pollBytes(refBytes) }
        samples.append((now() - t0) / Double(n) * 1e9)
    }
    print(String(format: "plugin-call  poll through the table on encoded bytes (pin, call, Preview's own work, copy, release): median %.0f ns per call", median(samples)))
}

func pipeline() async throws {
    // BENCH_SCALE=0.25 runs a quarter of the jobs (a loaded machine; the CPU figure is per job).
    let scale = Double(ProcessInfo.processInfo.environment["BENCH_SCALE"] ?? "") ?? 1
    // Each run's tree is removed only at the end: ext4 scans past recently deleted inodes when it
    // allocates new ones, so deleting the first run's thousands of files just before the second
    // would charge that scan (a fifth of the CPU in a profile) to the second run's stores.
    var roots: [String] = []
    defer { for root in roots { try? FileManager.default.removeItem(atPath: root) } }
    for (concurrency, jobs) in [(1, Int(400 * scale)), (16, Int(3000 * scale))] {
        let root = tempDir("pipeline-\(concurrency)")
        roots.append(root)
        try FileManager.default.createDirectory(atPath: root + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: previewPath, toPath: root + "/plugins/preview.so")
        var config = Configuration()
        config.jobs.concurrency = concurrency
        config.jobs.pollIntervalMs = 1
        // The job pipeline alone; post-processing has its own figure (`post-processing`).
        config.imaging.postProcessing.automatic = false
        // BENCH_OUTPUT_CHECK=off: the host's own figures, without the nudity detector (a Python
        // child that costs several times the host's CPU per image; `output-check` measures it).
        if ProcessInfo.processInfo.environment["BENCH_OUTPUT_CHECK"] == "off" { config.outputCheck.enabled = false }
        let generator = try ImageGenerator(configuration: .init(
            paths: HostPaths(config: nil, plugins: root + "/plugins", data: root + "/data"), settings: config,
            log: Log(minimum: .error)))
        await generator.startRunner()
        // Warm-up.
        _ = try await generator.generateCustom(prompt: "warm", parameters: GenerationParameters(width: 64, height: 64))
        let t0 = now()
        let cpu0 = cpuSeconds()
        let statements0 = SQLiteDatabase.statementsRun.load(ordering: .relaxed)
        // BENCH_STATEMENTS=1: also name the statements (counting them by text costs CPU, so
        // the default run, whose CPU figure is the one quoted, only counts them).
        let naming = ProcessInfo.processInfo.environment["BENCH_STATEMENTS"] == "1"
        SQLiteDatabase.statementCounts.withLock { $0.removeAll() }
        SQLiteDatabase.countingStatements.store(naming, ordering: .relaxed)
        var submitted: [Job] = []
        try await withThrowingTaskGroup(of: [Job].self) { group in
            let perClient = jobs / concurrency
            for c in 0..<concurrency {
                group.addTask {
                    var mine: [Job] = []
                    for i in 0..<perClient {
                        let j = try await generator.submit(GenerationRequest(prompt: "bench \(c)-\(i)", width: 64, height: 64))
                        mine += j
                        if concurrency == 1 { _ = try await generator.waitUntilFinished(j) }
                    }
                    return mine
                }
            }
            for try await js in group { submitted += js }
        }
        let done = try await generator.waitUntilFinished(submitted)
        let elapsed = now() - t0
        let cpu = cpuSeconds() - cpu0
        let statements = SQLiteDatabase.statementsRun.load(ordering: .relaxed) - statements0
        SQLiteDatabase.countingStatements.store(false, ordering: .relaxed)
        let ok = done.filter { $0.state == .succeeded }.count
        // Host overhead per job: created → finished minus nothing (Preview has zero latency and
        // renders a 64×64 PNG in ~0.1 ms, so the whole span is host work and queueing).
        let spans = done.compactMap { j in j.finishedAt.map { $0.timeIntervalSince(j.createdAt) * 1000 } }
        print(String(format: "pipeline     concurrency %2d: %d jobs in %.2f s = %.0f jobs/s (%d succeeded); per-job span p50 %.2f ms, p99 %.2f ms; CPU %.2f ms/job (incl. Preview's render); %.1f SQL statements/job",
                     concurrency, done.count, elapsed, Double(done.count) / elapsed, ok, percentile(spans, 0.5), percentile(spans, 0.99),
                     cpu * 1000 / Double(done.count), Double(statements) / Double(done.count)))
        // Where the statements come from (the benchmark's own waiting included: `jobs(ids:)`).
        for (sql, n) in SQLiteDatabase.statementCounts.withLock({ $0 }).sorted(by: { $0.value > $1.value }).prefix(12) {
            print(String(format: "               %5.2f/job  %@", Double(n) / Double(done.count), sql))
        }
        await generator.shutdown()
    }
    // Memory with 10,000 queued jobs (no runner: they stay queued).
    let root = tempDir("queued")
    try FileManager.default.createDirectory(atPath: root + "/plugins", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: previewPath, toPath: root + "/plugins/preview.so")
    let runtime = HostRuntime(paths: HostPaths(config: nil, plugins: root + "/plugins", data: root + "/data"),
                              configuration: Configuration(), log: Log(minimum: .error))
    runtime.plugins.rescan()
    let service = GenerationService(runtime: runtime, catalog: try SQLiteCatalog(path: root + "/data/catalog.sqlite"))
    let before = rssMB()
    let t0 = now()
    for i in 0..<625 {
        _ = try service.enqueue(GenerationRequest(prompt: "queued \(i)", width: 64, height: 64, variations: 16))
    }
    let after = rssMB()
    print(String(format: "queued       10,000 jobs queued in %.2f s; RSS %.1f MB → %.1f MB (+%.1f MB)", now() - t0, before, after, after - before))
    try? FileManager.default.removeItem(atPath: root)
}

/// The host's post-processing queue over stored originals: 1024 × 1024 Preview images, the
/// default profile (enhance, three sizes, JPEG + WebP, each derivative scored), stored and
/// recorded, with `workers` images at a time.
func postProcessing() async throws {
    let count = 40
    // BENCH_POST_WORKERS=3 adds a run with that many workers (scored): on 2 cores, whether a
    // third worker fills the gaps two leave (catalog writes, fsyncs).
    let extra = Int(ProcessInfo.processInfo.environment["BENCH_POST_WORKERS"] ?? "").map { [($0, true)] } ?? []
    for (workers, scored) in [(1, true), (2, true), (2, false)] + extra {
        let root = tempDir("post-processing-\(workers)")
        try FileManager.default.createDirectory(atPath: root + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: previewPath, toPath: root + "/plugins/preview.so")
        var config = Configuration()
        config.imaging.postProcessing.automatic = false
        config.imaging.postProcessing.workers = workers
        config.imaging.postProcessing.scoreDerivatives = scored
        let paths = HostPaths(config: nil, plugins: root + "/plugins", data: root + "/data")
        let generator = try ImageGenerator(configuration: .init(paths: paths, settings: config, log: Log(minimum: .error)))
        for batch in 0..<(count / 8) {
            _ = try await generator.generateCustom(prompt: "a lamp on a desk \(batch)",
                                                   parameters: GenerationParameters(width: 1024, height: 1024), variations: 8)
        }
        if workers == 1 {
            // What one quality score costs on these images (the original and its master JPEG).
            let catalog = generator.service.catalog
            let workshop = generator.service.imaging!
            let image = try catalog.images(ImageFilter(limit: 1))[0]
            let bytes = FileManager.default.contents(atPath: generator.service.content.absolute(image.filePath))!
            let decoded = try workshop.verify(bytes)
            let derivatives = try workshop.process(decoded, category: "product").derivatives
            let jpeg = derivatives[0].bytes
            for (label, data) in [("original PNG", bytes), ("master JPEG", jpeg)] {
                var samples: [Double] = []
                for _ in 0..<5 {
                    let t = cpuSeconds()
                    _ = try workshop.score(try workshop.verify(data))
                    samples.append((cpuSeconds() - t) * 1000)
                }
                print(String(format: "post-process full decode + score of the 1024×1024 %@: median %.0f ms CPU", label, median(samples)))
            }
            for derivative in derivatives where derivative.variant != "publish" {
                var samples: [Double] = []
                for _ in 0..<5 {
                    let t = cpuSeconds()
                    _ = try workshop.scoreDerivative(derivative)
                    samples.append((cpuSeconds() - t) * 1000)
                }
                print(String(format: "post-process derivative score (decoded at ≤ 512 px) of %@ %@ %d×%d: median %.1f ms CPU",
                             derivative.variant, derivative.format.rawValue, derivative.width, derivative.height, median(samples)))
            }
        }
        let before = rssMB()
        let t0 = now()
        let cpu0 = cpuSeconds()
        let processed = await generator.processBacklog()
        let elapsed = now() - t0
        let cpuPerImage = (cpuSeconds() - cpu0) * 1000 / Double(max(processed, 1))
        let catalog = generator.service.catalog as! SQLiteCatalog
        let runs = try catalog.database.query("SELECT COUNT(*) AS n FROM post_processing_runs WHERE state = 'done'").first?["n"]?.int ?? 0
        // CPU time is what the figure is judged on when the machine is shared: wall time is
        // inflated by other work, CPU time per image is not (2 cores / CPU per image = the
        // images/s two workers reach on an otherwise idle 2-core machine).
        print(String(format: "post-process %d worker(s), derivatives %@: %d images (%lld done) in %.2f s = %.1f images/s wall; CPU %.1f ms/image = %.1f images/s on 2 cores; RSS %.1f MB → peak %.1f MB; libvips pixel memory peak %.1f MB (all workers)",
                     workers, scored ? "scored" : "not scored", processed, runs, elapsed, Double(processed) / elapsed,
                     cpuPerImage, 2000 / cpuPerImage, before, peakRSSMB(), Double(ImageWorkshop.libvipsMemory().highWater) / 1e6))
        await generator.shutdown()
        try? FileManager.default.removeItem(atPath: root)
    }
}

switch arguments.first {
case "plugin-load": pluginLoad()
case "plugin-call": try pluginCall()
case "plugin-isolation": try pluginIsolation()
case "pipeline": try await pipeline()
case "post-processing": try await postProcessing()
case "output-check": try await outputCheck()
case "catalog-transitions": try catalogTransitions()
case nil, "all":
    pluginLoad()
    try pluginCall()
    try await pipeline()
default:
    print("usage: Benchmarks [plugin-load|plugin-call|plugin-isolation|pipeline|post-processing|output-check|catalog-transitions URL|all]")
    exit(2)
}
