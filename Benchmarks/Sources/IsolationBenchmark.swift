import Foundation
import ImagegenCore
import PluginHost

/// `Benchmarks plugin-isolation`: the cost of running a plugin in a child process. Per-call
/// overhead of `poll` on Preview in-process vs isolated (Preview's poll also asks the host's
/// clock, so an isolated poll is two round trips), the time to bring up a fresh child after a
/// crash (spawn, load, hello, create; the restart back-off excluded), and the child's RSS.
func pluginIsolation() throws {
    let runner = buildDir + "/imagegen"
    precondition(FileManager.default.isExecutableFile(atPath: runner), "\(runner) is missing: swift build -c release")
    let quiet = Log(minimum: .error)
    func pollCost(isolated: Bool) throws -> (Double, PluginSet) {
        let dir = tempDir(isolated ? "isolated" : "in-process")
        try? FileManager.default.copyItem(atPath: previewPath, toPath: dir + "/preview.so")  // try?: a copy that fails shows as a load failure right after
        let set = PluginSet(directory: dir, loader: PluginLoader(log: quiet, secrets: EnvironmentSecrets(environment: [:]),
                                                                runner: isolated ? runner : nil),
                            log: quiet, providerConfig: [:])
        set.rescan()
        let instance = try set.instance(forPlugin: "preview")
        let ref = try instance.submit(["schema": 1, "job_id": "b", "model": "preview-1", "prompt": "x", "width": 64, "height": 64, "seed": 1])["ref"]!
        let bytes = [UInt8](ref.encoded())
        var samples: [Double] = []
        let n = isolated ? 5_000 : 100_000
        for _ in 0..<15 {
            let t0 = now()
            for _ in 0..<n { _ = try instance.pollBytes(bytes) }
            samples.append((now() - t0) / Double(n) * 1e6)
        }
        return (median(samples), set)
    }
    let (inProcess, local) = try pollCost(isolated: false)
    let (isolated, set) = try pollCost(isolated: true)
    local.shutdown()
    print(String(format: "plugin-isolation  poll on Preview: in-process %.2f µs, isolated %.2f µs per call (overhead %.2f µs)",
                 inProcess, isolated, isolated - inProcess))

    let generation = set.generation(forPlugin: "preview")!
    let instance = try set.instance(forPlugin: "preview")
    let ref = [UInt8](try instance.submit(["schema": 1, "job_id": "c", "model": "preview-1", "prompt": "x", "width": 64, "height": 64])["ref"]!.encoded())
    var rss: [Double] = []
    var restarts: [Double] = []
    for _ in 0..<20 {
        guard let pid = generation.runStatus.pid else { break }
        rss.append(childRSS(pid))
        kill(pid, SIGKILL)
        while generation.runStatus.pid != nil { usleep(1_000) }
        usleep(150_000) // past the 0.1 s back-off of one crash in a row
        let t0 = now()
        _ = try? instance.pollBytes(ref)  // try?: timed; a failure shows as a missing figure below
        let t1 = now()
        restarts.append((t1 - t0) * 1000)
        _ = try instance.pollBytes(ref) // a success resets the crash count
    }
    print(String(format: "plugin-isolation  restart after a crash (spawn imagegen plugin-runner, dlopen, describe, hello, create, first poll): median %.1f ms, p90 %.1f ms over %d",
                 median(restarts), percentile(restarts, 0.9), restarts.count))
    print(String(format: "plugin-isolation  RSS per child running Preview: median %.1f MB", median(rss)))
    set.shutdown()
}

func childRSS(_ pid: pid_t) -> Double {
    guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }  // try?: a child gone reads as 0
    for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "0").map { $0 / 1024 } ?? 0
    }
    return 0
}
