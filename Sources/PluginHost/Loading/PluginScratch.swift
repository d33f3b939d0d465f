import Foundation
import Glibc
import DurableFiles

/// The per-process folder plugin files are copied into before `dlopen`
/// (`<tmpfs>/imagegen-plugins-<pid>`). Each copy is unlinked right after `dlopen` (the mapping
/// keeps it alive), so the folder is empty between loads: it is removed when the process exits
/// normally and when a host shuts down, and folders of processes that died are swept at start.
package enum PluginScratch {
    static let prefix = "imagegen-plugins-"

    /// tmpfs when there is one: a copy per load on a disk filesystem costs an inode allocation
    /// each time (measured: most of the load time on ext4).
    package static var base: String {
        let shm = "/dev/shm"
        return access(shm, W_OK) == 0 ? shm : (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp")
    }

    /// This process's folder under `base`.
    package static func folder(base: String = PluginScratch.base, pid: pid_t = getpid()) -> String {
        "\(base)/\(prefix)\(pid)"
    }

    /// Removes this process's folder when it is empty. A load running at the same moment keeps
    /// its copy in it (so `rmdir` refuses) or recreates it (`PluginLoader` retries once).
    package static func removeOwnFolder(base: String = PluginScratch.base) {
        rmdir(folder(base: base))
    }

    /// Registers `removeOwnFolder` to run at normal process exit, once per process.
    static func removeAtExit() { _ = registerOnce }
    private static let registerOnce: Void = {
        atexit { PluginScratch.removeOwnFolder() }
    }()

    /// Removes the folders (and any copies left in them by a crash mid-load) of processes that
    /// no longer run. Returns the folders removed and the ones that could not be.
    package static func sweep(base: String = PluginScratch.base) -> (removed: [String], failures: [String]) {
        var removed: [String] = [], failures: [String] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []  // try?: no scratch folder means nothing to sweep
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), ProcessLiveness.isDead(pid) else { continue }
            let path = base + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid() else { continue }
            do {
                try FileManager.default.removeItem(atPath: path)
                removed.append(path)
            } catch {
                failures.append("cannot remove the stale plugin folder \(path): \(error.localizedDescription)")
            }
        }
        return (removed, failures)
    }
}
