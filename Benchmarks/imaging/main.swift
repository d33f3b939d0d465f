// ImagingBenchmark: times the host's image pipeline (ImageWorkshop) on one input file.
//
//   ImagingBenchmark latency    INPUT ITERATIONS [--vips-threads K] [--serial-encoding] [--no-malloc-tuning]
//   ImagingBenchmark breakdown  INPUT ITERATIONS
//   ImagingBenchmark ingest     INPUT ITERATIONS   (the steps every provider output goes through)
//   ImagingBenchmark throughput INPUT IMAGES WORKERS [--vips-threads K] [--serial-encoding] [--no-malloc-tuning]
//   ImagingBenchmark c2pa       INPUT ITERATIONS   (C2PA_CHAIN, C2PA_KEY: PEM files; see c2pa.sh)
//   (latency and throughput also take --webp-effort E, 0...6, instead of the default profile's)
//
// malloc tuning (VipsRuntimeSettings.tuneMalloc) is on by default, as in the host;
// --no-malloc-tuning measures glibc's defaults.
//
// Every mode prints one JSON object per line. "The pipeline" is what a provider image goes
// through: verify (magic bytes, header limits, full decode) → process with the default
// profile (levels + sharpen, master / 1080 px / 256 px, JPEG q85 progressive + WebP q80).
// Run it through run.sh, which builds it in release mode and compares with Pillow and the
// vips command line.
import Foundation
import Glibc
import Host
import Synchronization
import Imaging

/// Peak resident set size of this process so far, in MiB (Linux reports ru_maxrss in KiB).
func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// CPU time (user + system, all threads) this process has used so far, in milliseconds.
func cpuMilliseconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
    return ms(usage.ru_utime) + ms(usage.ru_stime)
}

/// A field of /proc/self/status in MiB: VmRSS (resident now), RssAnon (heap, stacks: private)
/// or RssFile (mapped files: code and data of the shared libraries).
func statusMiB(_ field: String = "VmRSS") -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("\(field):") }),
          let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
    return kib / 1024
}

/// Resident memory once the workshop exists (libraries mapped, libvips started, no image yet).
func startupMemory() -> [String: Double] {
    ["rss_at_start_mib": statusMiB(), "rss_anon_at_start_mib": statusMiB("RssAnon"),
     "rss_file_at_start_mib": statusMiB("RssFile")]
}

func milliseconds(since start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
}

/// Median, minimum and maximum of `samples` (milliseconds).
func summary(_ samples: [Double]) -> (median: Double, min: Double, max: Double) {
    let sorted = samples.sorted()
    let middle = sorted.count / 2
    let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    return (median, sorted.first ?? 0, sorted.last ?? 0)
}

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ImagingBenchmark: \(message)\n".utf8))
    exit(2)
}

struct Options {
    var mode: String
    var input: Data
    var numbers: [Int]
    var vipsThreads = 0
    var serialEncoding = false
    var mallocTuning = true
    var webpEffort: Int?

    init(_ arguments: [String]) {
        var positional: [String] = []
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--vips-threads":
                index += 1
                guard index < arguments.count, let threads = Int(arguments[index]) else { fail("--vips-threads needs a number") }
                vipsThreads = threads
            case "--serial-encoding": serialEncoding = true
            case "--malloc-tuning": mallocTuning = true  // the default; kept for old command lines
            case "--no-malloc-tuning": mallocTuning = false
            case "--webp-effort":
                index += 1
                guard index < arguments.count, let effort = Int(arguments[index]) else { fail("--webp-effort needs a number") }
                webpEffort = effort
            default: positional.append(arguments[index])
            }
            index += 1
        }
        guard positional.count >= 3 else {
            fail("usage: ImagingBenchmark latency|breakdown INPUT ITERATIONS | throughput INPUT IMAGES WORKERS [--vips-threads K] [--serial-encoding]")
        }
        mode = positional[0]
        guard let bytes = FileManager.default.contents(atPath: positional[1]) else { fail("cannot read \(positional[1])") }
        input = bytes
        numbers = positional.dropFirst(2).map { Int($0) ?? 0 }
    }

    func workshop(profile: ImagingProfile = ImagingProfile()) -> ImageWorkshop {
        var profile = profile
        if let webpEffort { profile.formats.webp.effort = webpEffort }
        var configuration = ImagingConfiguration(profiles: ["default": profile])
        configuration.runtime.concurrency = vipsThreads
        configuration.parallelEncoding = !serialEncoding
        configuration.runtime.tuneMalloc = mallocTuning
        do { return try ImageWorkshop(configuration: configuration) } catch { fail("\(error)") }
    }
}

/// Verify + process once, returning the derivatives' total size in bytes.
@discardableResult
func runPipeline(_ workshop: ImageWorkshop, _ input: Data) -> Int {
    do {
        let image = try workshop.verify(input, declaredMIMEType: "image/png")
        return try workshop.process(image, category: "benchmark").derivatives.reduce(0) { $0 + $1.byteCount }
    } catch { fail("\(error)") }
}

/// Hands out `count` units of work to any number of threads.
final class WorkQueue: Sendable {
    private let remaining: Atomic<Int>
    init(count: Int) { remaining = Atomic(count) }
    /// True while there is work left (and claims one unit of it).
    func take() -> Bool { remaining.subtract(1, ordering: .relaxed).oldValue > 0 }
}

/// Times `body` `iterations` times after one warm-up run.
func timed(_ iterations: Int, _ body: () -> Void) -> [Double] {
    body()
    return (0..<iterations).map { _ in
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return milliseconds(since: start)
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
switch options.mode {
case "latency":
    let iterations = max(1, options.numbers[0])
    let workshop = options.workshop()
    let startup = startupMemory()
    var outputBytes = 0
    let cpuBefore = cpuMilliseconds()
    let samples = timed(iterations) { outputBytes = runPipeline(workshop, options.input) }
    let cpuPerImage = (cpuMilliseconds() - cpuBefore) / Double(iterations + 1)
    let result = try! workshop.process(workshop.verify(options.input), category: "benchmark")
    let stats = summary(samples)
    emit(["impl": "swift+libvips", "mode": "latency", "iterations": iterations,
          "median_ms": stats.median, "min_ms": stats.min, "max_ms": stats.max, "cpu_ms_per_image": cpuPerImage,
          "peak_rss_mib": peakRSSMiB(), "peak_above_start_mib": peakRSSMiB() - startup["rss_at_start_mib"]!,
          "rss_anon_end_mib": statusMiB("RssAnon"), "rss_file_end_mib": statusMiB("RssFile"),
          "output_bytes": outputBytes,
          "libvips_pixel_memory_high_water_mib": Double(ImageWorkshop.libvipsMemory().highWater) / 1_048_576,
          "malloc_tuning": options.mallocTuning, "webp_effort": options.webpEffort ?? WebPOptions().effort,
          "vips_threads": options.vipsThreads, "parallel_encoding": !options.serialEncoding,
          "derivatives": result.derivatives.map { "\($0.variant).\($0.fileExtension) \($0.width)x\($0.height) \($0.byteCount)B" }]
         .merging(startup.mapValues { $0 as Any }) { a, _ in a })

case "breakdown":
    // Where the time goes: each step alone, and the pipeline with parts switched off, as the
    // median CPU milliseconds per run (so the figures add up across threads).
    let iterations = max(1, options.numbers[0])
    let full = options.workshop()
    let image = try! full.verify(options.input)
    /// Median CPU time (all threads) of one run: attributes cost even when other processes
    /// share the cores, which wall time does not.
    func median(_ body: () -> Void) -> Double {
        body()
        return summary((0..<iterations).map { _ in
            let before = cpuMilliseconds()
            body()
            return cpuMilliseconds() - before
        }).median
    }
    func processing(_ profile: ImagingProfile) -> Double {
        let workshop = options.workshop(profile: profile)
        return median { _ = try! workshop.process(image, category: "benchmark") }
    }
    var jpegOnly = ImagingProfile()
    jpegOnly.formats.webp.enabled = false
    var webpOnly = ImagingProfile()
    webpOnly.formats.jpeg.enabled = false
    var serial = options
    serial.serialEncoding = true
    let serialWorkshop = serial.workshop()
    emit(["impl": "swift+libvips", "mode": "breakdown", "iterations": iterations,
          "verify_decode_ms": median { _ = try! full.verify(options.input) },
          "process_ms": processing(ImagingProfile()),
          "process_serial_encoding_ms": median { _ = try! serialWorkshop.process(image, category: "benchmark") },
          "process_no_enhancement_ms": processing(ImagingProfile(enhancement: .off)),
          "process_no_sharpen_ms": processing(ImagingProfile(enhancement: EnhancementSettings(sharpen: false))),
          "process_jpeg_only_ms": processing(jpegOnly),
          "process_webp_only_ms": processing(webpOnly),
          "score_ms": median { _ = try! full.score(image) },
          "peak_rss_mib": peakRSSMiB()])

case "ingest":
    // What the host does to every provider output before storing it (JobExecution.store), step
    // by step, as median CPU milliseconds: the full decode, the quality score, the dominant
    // colours, the perceptual hash and the output check's small copy. Each step after the
    // decode gets a fresh decode, so the shared analysis copy is made inside the first step
    // that needs it (the score), as in the host.
    let iterations = max(1, options.numbers[0])
    let workshop = options.workshop()
    func step(_ body: (VerifiedImage) -> Void) -> Double {
        summary((0...iterations).map { _ in
            let image = try! workshop.verify(options.input)
            let before = cpuMilliseconds()
            body(image)
            return cpuMilliseconds() - before
        }.dropFirst().map { $0 }).median
    }
    func all(_ image: VerifiedImage) {
        _ = try! workshop.score(image)
        _ = try! workshop.dominantColours(image)
        _ = try! workshop.perceptualHash(image)
        _ = try! workshop.detectorCopy(image, longEdge: 320)
    }
    let decode = summary((0...iterations).map { _ in
        let before = cpuMilliseconds()
        _ = try! workshop.verify(options.input)
        return cpuMilliseconds() - before
    }.dropFirst().map { $0 }).median
    emit(["impl": "swift+libvips", "mode": "ingest", "iterations": iterations,
          "verify_decode_ms": decode,
          "score_ms": step { _ = try! workshop.score($0) },
          "dominant_colours_ms": step { _ = try! workshop.dominantColours($0) },
          "perceptual_hash_ms": step { _ = try! workshop.perceptualHash($0) },
          "detector_copy_320_ms": step { _ = try! workshop.detectorCopy($0, longEdge: 320) },
          "all_after_decode_ms": step(all)])

case "throughput":
    let images = max(1, options.numbers[0])
    let workers = max(1, options.numbers.count > 1 ? options.numbers[1] : 2)
    let workshop = options.workshop()
    let startup = startupMemory()
    runPipeline(workshop, options.input)  // warm-up: code paths paged in
    let queue = WorkQueue(count: images)
    let group = DispatchGroup()
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuBefore = cpuMilliseconds()
    for _ in 0..<workers {
        group.enter()
        let thread = Thread {
            while queue.take() { runPipeline(workshop, options.input) }
            group.leave()
        }
        thread.start()
    }
    group.wait()
    let seconds = milliseconds(since: start) / 1000
    emit(["impl": "swift+libvips", "mode": "throughput", "images": images, "workers": workers,
          "seconds": seconds, "images_per_s": Double(images) / seconds, "peak_rss_mib": peakRSSMiB(),
          "peak_above_start_mib": peakRSSMiB() - startup["rss_at_start_mib"]!,
          "cpu_ms_per_image": (cpuMilliseconds() - cpuBefore) / Double(images),
          "vips_threads": options.vipsThreads, "parallel_encoding": !options.serialEncoding,
          "malloc_tuning": options.mallocTuning, "webp_effort": options.webpEffort ?? WebPOptions().effort]
         .merging(startup.mapValues { $0 as Any }) { a, _ in a })

case "c2pa":
    runC2PASigning(options)

default:
    fail("unknown mode '\(options.mode)'; use latency, breakdown, ingest, throughput or c2pa")
}
