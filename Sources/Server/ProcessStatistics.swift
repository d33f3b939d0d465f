import Foundation
import Glibc

/// The process's own numbers for `/metrics` (the Prometheus `process_*` conventions), read
/// from the kernel at scrape time.
struct ProcessStatistics {
    var residentBytes: Int
    var cpuSeconds: Double
    var openDescriptors: Int

    static func current() -> ProcessStatistics {
        var resident = 0
        // statm: size resident shared ... in pages.
        // try?: a metric only; outside Linux /proc is absent and the gauge reads 0
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { resident = pages * Int(sysconf(Int32(_SC_PAGESIZE))) }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        // try?: a metric only (see above)
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return ProcessStatistics(residentBytes: resident, cpuSeconds: cpu, openDescriptors: fds)
    }
}
