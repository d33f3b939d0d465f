import Foundation
import ImagegenCore
import PluginHost

/// The restart half of `plugin-isolation`: SIGKILL the child, then call at once, 20 times; and
/// where each restart's time went, from this side (kill → the host saw the end → the call
/// answered) and from the child's (`IMAGEGEN_RUNNER_TIMES`: its main, image read, plugin loaded
/// and described, hello sent), all on CLOCK_MONOTONIC.
func restartAfterCrash(_ set: PluginSet, times: String) throws {
    let generation = set.generation(forPlugin: "preview")!
    let instance = try set.instance(forPlugin: "preview")
    let ref = [UInt8](try instance.submit(["schema": 1, "job_id": "c", "model": "preview-1", "prompt": "x", "width": 64, "height": 64])["ref"]!.encoded())
    var rss: [Double] = [], pss: [Double] = []
    var total: [Double] = [], detect: [Double] = [], toMain: [Double] = [], read: [Double] = [], load: [Double] = []
    var hello: [Double] = [], toAnswer: [Double] = []
    var childCPU: [Double] = [], childWaiting: [Double] = []
    for _ in 0..<20 {
        guard let pid = generation.runStatus.pid else { break }
        rss.append(childRSS(pid))
        pss.append(childPSS(pid))
        usleep(50_000) // let the last restart's threads settle
        let t0 = MonotonicClock.now()
        kill(pid, SIGKILL)
        while generation.runStatus.pid == pid { usleep(100) }
        let t1 = MonotonicClock.now()
        _ = try? instance.pollBytes(ref)  // try?: timed; a failure shows as a missing figure below
        let t2 = MonotonicClock.now()
        guard let fresh = generation.runStatus.pid, fresh != pid else { continue }
        total.append(ms(t2 - t0))
        detect.append(ms(t1 - t0))
        if let line = startTimes(times)[fresh], line.count == 4 {
            toMain.append(ms(Int64(line[0]) - Int64(t1)))
            read.append(ms(line[1] - line[0]))
            load.append(ms(line[2] - line[1]))
            hello.append(ms(line[3] - line[2]))
            toAnswer.append(ms(t2 - line[3]))
        }
        let (cpu, waiting) = schedstat(fresh)
        childCPU.append(cpu * 1000)
        childWaiting.append(waiting * 1000)
        _ = try instance.pollBytes(ref) // a success resets the crash count
    }
    func m(_ xs: [Double]) -> String { String(format: "%.1f / %.1f", median(xs), percentile(xs, 0.9)) }
    print("plugin-isolation  restart after a SIGKILL, a call made as soon as the host saw the end, until it answered: "
          + "median / p90 \(m(total)) ms over \(total.count)")
    print("plugin-isolation    where it went (median / p90 ms): end seen (socket closed, reaped) \(m(detect)); "
          + "→ child's main (spawn, exec, ld.so, Swift runtime) \(m(toMain)); image read \(m(read)); "
          + "dlopen + describe \(m(load)); hello \(m(hello)); → call answered (hello read, limits, lane, create, poll) \(m(toAnswer))")
    print(String(format: "plugin-isolation  the fresh child up to its first poll: on a CPU %.1f ms, runnable but waiting for one %.1f ms (medians)",
                 median(childCPU), median(childWaiting)))
    print(String(format: "plugin-isolation  per child running Preview: RSS median %.1f MB, PSS median %.1f MB", median(rss), median(pss)))
}

private func ms(_ ns: UInt64) -> Double { Double(ns) / 1e6 }
private func ms(_ ns: Int64) -> Double { Double(ns) / 1e6 }

/// pid → [main, image read, loaded, hello] from the children's timing file.
func startTimes(_ path: String) -> [pid_t: [UInt64]] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }  // try?: no file yet means no figures
    var out: [pid_t: [UInt64]] = [:]
    for line in text.split(separator: "\n") {
        let f = line.split(separator: " ").compactMap { UInt64($0) }
        if f.count == 5 { out[pid_t(f[0])] = Array(f.dropFirst()) }
    }
    return out
}
