import Foundation
import Glibc
import Synchronization

/// `AtomicFile.write` for many writers at once: the files of every writer that finishes within
/// the same few milliseconds are made durable in one round — writeback started for all of
/// them, then each fsynced (on ext4 the first fsync commits the journal for all), renamed, and
/// each folder fsynced once — instead of three journal commits per image.
///
/// The guarantee per call is `AtomicFile.write`'s: when `write` returns, every file is durable
/// under its final name; a crash before that leaves the old content (or nothing) and at most a
/// temp file that `TempFileSweep` removes. A failure is reported to the writer whose file it
/// was, not to the round.
package final class AtomicFileBatch: Sendable {
    /// One file written under its temp name, descriptor still open, waiting for the round.
    private struct Staged: Sendable {
        let fd: Int32
        let temp: String
        let path: String
        let folder: String
    }

    private struct State {
        var nextTicket = 0
        var staged: [Int: [Staged]] = [:]
        var failures: [Int: AtomicFile.Failure] = [:]
    }

    /// What the writers staged and what the rounds found, shared with the round's closure.
    private final class Pending: Sendable {
        let state = Mutex(State())
    }

    private let pending: Pending
    private let commits: GroupCommit

    /// The process's batch for the content folder (the pipeline's images and sidecars).
    package static let shared = AtomicFileBatch()

    package init() {
        let pending = Pending()
        self.pending = pending
        commits = GroupCommit(label: "imagegen.file-sync", onEventualFailure: { _ in }) {
            Self.round(pending)
        }
    }

    /// Files staged by one writer, made durable by `commit`.
    package struct Ticket: Sendable {
        fileprivate let id: Int
    }

    /// Writes `files` (bytes, absolute path) atomically and returns once all are durable,
    /// sharing the syncs with concurrent callers.
    package func write(_ files: [(bytes: [UInt8], path: String)], mode: mode_t = 0o644) async throws(AtomicFile.Failure) {
        try await commit(try stage(files, mode: mode))
    }

    /// The blocking half of `write`: the bytes go to temp files (run it off the cooperative pool).
    package func stage(_ files: [(bytes: [UInt8], path: String)], mode: mode_t = 0o644) throws(AtomicFile.Failure) -> Ticket {
        var staged: [Staged] = []
        do {
            for file in files { staged.append(try Self.stage(file.bytes, to: file.path, mode: mode)) }
        } catch {
            for file in staged { close(file.fd); unlink(file.temp) }
            throw error
        }
        return pending.state.withLock { state -> Ticket in
            state.nextTicket += 1
            state.staged[state.nextTicket] = staged
            return Ticket(id: state.nextTicket)
        }
    }

    /// The waiting half of `write`: returns once the staged files are durable under their names.
    package func commit(_ ticket: Ticket) async throws(AtomicFile.Failure) {
        do {
            try await commits.commit()
        } catch {
            // The round itself never throws; failures are kept per ticket, below.
        }
        if let failure = pending.state.withLock({ $0.failures.removeValue(forKey: ticket.id) }) { throw failure }
    }

    /// Rounds run so far (tests and benchmarks count them).
    package var rounds: Int { commits.rounds }

    private static func stage(_ bytes: [UInt8], to path: String, mode: mode_t) throws(AtomicFile.Failure) -> Staged {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw AtomicFile.Failure(path: path, reason: "cannot create \(folder): \(error.localizedDescription)")
        }
        let temp = "\(folder)/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AtomicFile.Failure(path: path, reason: String(cString: strerror(errno))) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temp)
                throw AtomicFile.Failure(path: path, reason: reason)
            }
            written += n
        }
        // Starts writeback now (Linux: DONTNEED writes dirty pages out before dropping clean
        // ones), so the blocks of every file of the round are allocated in the same journal
        // transaction and the round's first fsync commits them all. Advisory: the fsync in the
        // round is the guarantee, so its result is not checked.
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
        return Staged(fd: fd, temp: temp, path: path, folder: folder)
    }

    /// One round over everything staged so far: fsync, rename, fsync each folder once.
    private static func round(_ pending: Pending) {
        let batch = pending.state.withLock { state -> [Int: [Staged]] in
            defer { state.staged = [:] }
            return state.staged
        }
        guard !batch.isEmpty else { return }
        var failures: [Int: AtomicFile.Failure] = [:]
        var folders = Set<String>()
        for (ticket, files) in batch {
            var failure: AtomicFile.Failure?
            for file in files where failure == nil {
                if fsync(file.fd) != 0 {
                    failure = AtomicFile.Failure(path: file.path, reason: "fsync: " + String(cString: strerror(errno)))
                }
            }
            for file in files { close(file.fd) }
            if let failure {
                for file in files { unlink(file.temp) }
                failures[ticket] = failure
                continue
            }
            for file in files where failure == nil {
                if rename(file.temp, file.path) != 0 {
                    failure = AtomicFile.Failure(path: file.path, reason: "rename: " + String(cString: strerror(errno)))
                    unlink(file.temp)
                } else {
                    folders.insert(file.folder)
                }
            }
            if let failure { failures[ticket] = failure }
        }
        for folder in folders { AtomicFile.syncDirectory(folder) }
        if !failures.isEmpty {
            pending.state.withLock { state in state.failures.merge(failures) { $1 } }
        }
    }
}
