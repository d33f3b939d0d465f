import DurableFiles
import Foundation
import Glibc
import ImagegenCore

/// Plugins' hellos (ABI version, extensions, description) from earlier isolated loads, by the
/// file's content hash. A process that loads an unchanged plugin — every CLI command, a
/// restarted `serve` — takes the description from here instead of starting a child just to
/// describe it; the child starts on the first call (or when `serve` warms it).
///
/// Only a load that described successfully is cached, so a plugin that crashes or refuses at
/// load is probed in a child every time. An entry counts only for the runner build that wrote
/// it (its executable's size, mtime and inode): a rebuilt host describes again. The folder
/// lives in the owner-only data folder; whoever can write there can also replace the plugin.
package struct PluginDescribeCache: Sendable {
    let folder: String
    /// The runner build and boundary limits an entry was written under.
    let fingerprint: String

    package init(folder: String, runner: String) {
        self.folder = folder
        var st = stat()
        let build = stat(runner, &st) == 0 ? "\(st.st_size).\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec).\(st.st_ino)" : "unknown"
        fingerprint = "imagegen-describe-1 \(ImagegenVersion.current) runner \(build) max \(PluginBoundaryLimits.maxDescribeBytes)"
    }

    func path(for hash: String) -> String { "\(folder)/\(hash).hello" }

    /// The cached hello for a plugin file, or nil (none, another build's, or unreadable).
    func hello(for hash: String) -> RunnerMessage.Hello? {
        guard let bytes = FileManager.default.contents(atPath: path(for: hash)) else { return nil }
        var r = ByteReader(Array(bytes))
        guard r.text() == fingerprint, let body = r.data() else { return nil }
        return RunnerMessage.Hello(body)
    }

    /// Records a successful describe. A cache that cannot be written only costs the next
    /// process a child start, so the failure is returned for the log, not thrown.
    func store(_ hello: RunnerMessage.Hello, for hash: String) -> String? {
        var w = ByteWriter()
        w.text(fingerprint)
        w.data(hello.encoded)
        do {
            try AtomicFile.write(w.bytes, to: path(for: hash), mode: 0o600, syncDirectory: false)
            return nil
        } catch {
            return "cannot cache the description in \(folder): \(error)"
        }
    }
}
