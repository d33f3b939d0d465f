import Foundation
import ImagegenCore
import PluginHost

/// `Benchmarks plugin-isolation`: the cost of running a plugin in a child process. Per-call
/// overhead of `poll` on Preview in-process vs isolated (Preview's poll also asks the host's
/// clock, so an isolated poll is two round trips), the time to bring up a fresh child after a
/// crash (spawn, load, hello, create; the restart back-off excluded), and the child's RSS.
func pluginIsolation() throws {
    let runner = buildDir + "/imagegen"
    // Every child appends where its start went (see `PluginRunner.noteStartTimes`).
    let times = tempDir("runner-times") + "/times"
    setenv("IMAGEGEN_RUNNER_TIMES", times, 1)
    print("plugin-isolation  load average \(loadAverage()); lane spin \(ProcessInfo.processInfo.environment["IMAGEGEN_LANE_SPIN_US"] ?? "default") µs")
    precondition(FileManager.default.isExecutableFile(atPath: runner), "\(runner) is missing: swift build -c release")
    let quiet = Log(minimum: .error)
    /// Wall µs per call (median of 15 rounds), and per call over all rounds: CPU µs of this
    /// process and of the child, and voluntary context switches of each (the load on a shared
    /// machine inflates wall time; CPU time and switches say what a call costs).
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
        let child = set.generation(forPlugin: "preview")?.runStatus.pid
        let before = (usage(), child.map(childUsage))
        for _ in 0..<15 {
            let t0 = now()
            for _ in 0..<n { _ = try instance.pollBytes(bytes) }
            samples.append((now() - t0) / Double(n) * 1e6)
        }
        let after = (usage(), child.map(childUsage))
        let calls = Double(n * 15)
        var line = String(format: "plugin-isolation  poll %@: %.2f µs wall (median of 15 × %d); per call: this process %.2f µs CPU, %.2f voluntary switches",
                          isolated ? "isolated" : "in-process", median(samples), n,
                          (after.0.cpu - before.0.cpu) * 1e6 / calls, (after.0.switches - before.0.switches) / calls)
        if let b = before.1, let a = after.1 {
            line += String(format: "; child %.2f µs CPU, %.2f voluntary switches", (a.cpu - b.cpu) * 1e6 / calls, (a.switches - b.switches) / calls)
        }
        print(line)
        return (median(samples), set)
    }
    let (inProcess, local) = try pollCost(isolated: false)
    let (isolated, set) = try pollCost(isolated: true)
    local.shutdown()
    print(String(format: "plugin-isolation  poll on Preview: in-process %.2f µs, isolated %.2f µs per call (overhead %.2f µs)",
                 inProcess, isolated, isolated - inProcess))

    try restartAfterCrash(set, times: times)
    print("plugin-isolation  load average \(loadAverage()) at the end")
    set.shutdown()
}

func childRSS(_ pid: pid_t) -> Double {
    guard let s = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }  // try?: a child gone reads as 0
    for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "0").map { $0 / 1024 } ?? 0
    }
    return 0
}

/// PSS in MB (`/proc/PID/smaps_rollup`): the child's share of pages it shares with the host.
func childPSS(_ pid: pid_t) -> Double {
    guard let s = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return 0 }  // try?: a child gone reads as 0
    for line in s.split(separator: "\n") where line.hasPrefix("Pss:") {
        return Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "0").map { $0 / 1024 } ?? 0
    }
    return 0
}

/// CPU seconds (user + system, all threads) and voluntary context switches of this process.
func usage() -> (cpu: Double, switches: Double) {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    let cpu = Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    return (cpu, Double(u.ru_nvcsw))
}

/// The same for a child, from /proc (CPU in clock ticks, 10 ms; switches summed over its threads).
func childUsage(_ pid: pid_t) -> (cpu: Double, switches: Double) {
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var cpu = 0.0, switches = 0.0
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []  // try?: a child gone reads as 0
    // The process's stat counts threads that have ended too; switches are per thread.
    if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {  // try?: a child gone reads as 0
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 13 { cpu = ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks }
    }
    for task in tasks {
        if let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) {  // try?: a thread gone counts 0
            for line in status.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
                switches += Double(line.split(separator: "\t").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "0") ?? 0
            }
        }
    }
    return (cpu, switches)
}

/// Seconds a process's threads spent on a CPU and runnable but waiting for one
/// (`/proc/PID/task/*/schedstat`; threads that ended are not counted).
func schedstat(_ pid: pid_t) -> (cpu: Double, waiting: Double) {
    var cpu = 0.0, waiting = 0.0
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []  // try?: a child gone reads as 0
    for task in tasks {
        guard let s = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8) else { continue }  // try?: a thread gone counts 0
        let f = s.split(separator: " ")
        if f.count >= 2 { cpu += (Double(f[0]) ?? 0) / 1e9; waiting += (Double(f[1]) ?? 0) / 1e9 }
    }
    return (cpu, waiting)
}
