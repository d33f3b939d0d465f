import Foundation
import Host
import ImagegenConfig
import ImagegenCore
import Imaging
import Pipeline

/// `Benchmarks output-check`: what the output nudity check costs per 1024² image — the pipeline
/// with the check on against the same run with it off (Preview, one job at a time), and its two
/// parts: the small copy from the pipeline's decode (libvips) and the detection (the kept-running
/// NudeNet sidecar), with the detector on the provider's full file beside it for comparison.
func outputCheck() async throws {
    let images = 20
    var perImage: [Bool: Double] = [:]
    var stored: [String] = []
    var dataFolder = ""
    for enabled in [false, true] {
        let root = tempDir("output-check-\(enabled)")
        try FileManager.default.createDirectory(atPath: root + "/plugins", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: previewPath, toPath: root + "/plugins/preview.so")
        var config = Configuration()
        config.imaging.postProcessing.automatic = false
        config.outputCheck.enabled = enabled
        let opened = now()
        let generator = try ImageGenerator(configuration: .init(
            paths: HostPaths(config: nil, plugins: root + "/plugins", data: root + "/data"), settings: config, log: Log(minimum: .error)))
        // The detector starts lazily: opening the host costs the same with the check on or off;
        // the first image pays the start.
        print(String(format: "opening the host, check %@: %.3f s", enabled ? "on " : "off", now() - opened))
        await generator.startRunner()
        let size = GenerationParameters(width: 1024, height: 1024, seed: 1)
        let first = now()
        _ = try await generator.generateCustom(prompt: "warm-up teapot", parameters: size)
        print(String(format: "first image, check %@ (with the detector's start when on): %.3f s", enabled ? "on " : "off", now() - first))
        var times: [Double] = []
        for i in 0..<images {
            let t0 = now()
            let records = try await generator.generateCustom(prompt: "a ceramic teapot \(i)",
                                                             parameters: GenerationParameters(width: 1024, height: 1024, seed: UInt32(i + 2)))
            times.append(now() - t0)
            if enabled {
                precondition(records[0].outputCheck != nil, "the check did not run")
                stored.append(records[0].filePath)
            }
        }
        perImage[enabled] = median(times)
        print(String(format: "pipeline, 1024x1024, check %@: median %.1f ms per image (%d images)", enabled ? "on " : "off",
                     median(times) * 1000, images))
        await generator.shutdown()
        if enabled { dataFolder = root + "/data" } else { try? FileManager.default.removeItem(atPath: root) }  // try?: a throw-away benchmark folder; a leftover is harmless
    }
    print(String(format: "output check cost per 1024x1024 image (median on - off): %.1f ms", ((perImage[true] ?? 0) - (perImage[false] ?? 0)) * 1000))

    // The parts, on the images the run stored.
    let workshop = try ImageWorkshop()
    let detector = try NudeNetSidecar(script: dataFolder + "/classifiers/nudenet-detect.py").identified()
    var copyTimes: [Double] = [], smallTimes: [Double] = [], fullTimes: [Double] = []
    for relative in stored {
        let path = dataFolder + "/" + relative
        let bytes = FileManager.default.contents(atPath: path)!
        let image = try workshop.verify(bytes)
        let t0 = now()
        let (png, _) = try workshop.detectorCopy(image, longEdge: OutputCheck.detectorLongEdge)
        copyTimes.append(now() - t0)
        let small = path + ".small.png"
        try png.write(to: URL(fileURLWithPath: small))
        let t1 = now()
        _ = try detector.classify(files: [small])
        smallTimes.append(now() - t1)
        let t2 = now()
        _ = try detector.classify(files: [path])
        fullTimes.append(now() - t2)
    }
    print(String(format: "  320-px copy from the decode (libvips): median %.1f ms; detection on it: median %.1f ms; detection on the full 1024x1024 file instead: median %.1f ms",
                 median(copyTimes) * 1000, median(smallTimes) * 1000, median(fullTimes) * 1000))
    try? FileManager.default.removeItem(atPath: (dataFolder as NSString).deletingLastPathComponent)  // try?: a throw-away benchmark folder; a leftover is harmless
}
