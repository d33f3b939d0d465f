import Foundation
import Glibc

/// Removes the temp files `AtomicFile` writers left behind when they were killed between
/// creating `.<name>.<pid>.<random>.tmp` and renaming it: nothing else ever removes them.
///
/// Only files whose name has exactly that shape, that are regular files, and whose pid names no
/// running process are removed — never a live writer's temp file, never anything else.
package enum TempFileSweep {
    package struct Outcome: Sendable, Equatable {
        /// Paths removed.
        package var removed: [String] = []
        /// Paths that could not be removed, with the reason (reported, never dropped).
        package var failures: [Failure] = []
    }

    package struct Failure: Sendable, Equatable, CustomStringConvertible {
        package var path: String
        package var reason: String
        package var description: String { "cannot remove the stale temp file \(path): \(reason)" }
    }

    /// The writer's pid when `name` is an `AtomicFile` temp name (`.<name>.<pid>.<u32>.tmp`).
    package static func writerPID(ofTempName name: String) -> pid_t? {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        let parts = name.dropFirst().dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        // At least one part for the target's name, then pid and random.
        guard parts.count >= 3, !parts.dropLast(2).joined(separator: ".").isEmpty,
              parts[parts.count - 1].allSatisfy(\.isASCII), UInt32(parts[parts.count - 1]) != nil,
              parts[parts.count - 2].allSatisfy(\.isASCII), let pid = pid_t(parts[parts.count - 2]), pid > 0
        else { return nil }
        return pid
    }

    /// Sweeps `folder` and everything below it (symbolic links are not followed). A missing
    /// folder is nothing to sweep.
    package static func sweep(_ folder: String) -> Outcome {
        var outcome = Outcome()
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return outcome }
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard let pid = writerPID(ofTempName: name), ProcessLiveness.isDead(pid) else { continue }
            let path = folder + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if unlink(path) == 0 || errno == ENOENT {
                outcome.removed.append(path)
            } else {
                outcome.failures.append(Failure(path: path, reason: String(cString: strerror(errno))))
            }
        }
        return outcome
    }
}
