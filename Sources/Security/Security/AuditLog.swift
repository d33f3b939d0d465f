import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import DurableFiles

/// The append-only, hash-chained audit log (JSON lines).
///
/// Appends are serialised twice: a `Mutex` for the threads of this process and an exclusive
/// `flock` on the file for other processes (the CLI and `imagegen serve` can share a log).
/// Under both, the appender checks the file size; if someone else appended since, it re-reads
/// the last line to continue the chain from it. Each entry goes out in a single `write` on an
/// `O_APPEND` descriptor, so an entry is either wholly in the log or absent; a crash mid-write
/// leaves a torn last line, which the next open cuts off and records as an `audit.recovery` entry.
///
/// Durability is a group commit (`GroupCommit`): entries appended within the same few
/// milliseconds share one `fsync`. `Durability` says whether an append waits for it.
package final class AuditLog: Sendable {
    package let path: String
    let keyRing: KeyRing
    private let redactor: SecretRedactor
    let now: @Sendable () -> Date
    let state: Mutex<State>
    /// Entries of `appendEventually`, written (in order, before any later entry) by the next
    /// append or sync round. Under a lock of their own: a read's request thread (the HTTP
    /// socket thread) queues its entry without waiting while a round signs and writes.
    let queue = Mutex<[Pending]>([])
    let files: Descriptors
    let commits: GroupCommit
    private let onEventualFailure: @Sendable (any Error) -> Void

    /// When an appended entry must be on disk.
    package enum Durability: Sendable {
        /// Before `append` returns (the CLI, events outside a request).
        case immediate
        /// Before the caller acknowledges the change it records: the caller awaits `makeDurable()`
        /// once for all the entries of a request, sharing the fsync with concurrent requests.
        case beforeAcknowledgement
    }

    /// An entry not yet signed and written (`appendEventually`).
    struct Pending {
        let principal: String
        let action: AuditAction
        let subject: String
        let details: [String: String]
        let date: Date
    }

    /// The two descriptors, closed when the last user (the log or a pending sync) lets go.
    final class Descriptors: Sendable {
        let write: Int32
        let read: Int32
        init(write: Int32, read: Int32) {
            self.write = write
            self.read = read
        }
        deinit {
            close(write)
            close(read)
        }
    }

    struct State {
        /// File size after our last append; a different size means another writer appended.
        var knownSize: Int64 = -1
        var lastSeq = 0
        var lastLineHash = AuditDigest.genesis
    }

    /// Opens (or creates, mode 0600) the log at `path`. Every principal, subject and detail goes
    /// through `redactor` before it is written, so a secret passed by mistake never lands in
    /// the (plaintext) log. `now` is injectable for tests, and so is `syncFile` (fsync by
    /// default) with the delay of `eventually` entries, so tests can count syncs and see what
    /// each one covered.
    package init(path: String, keyRing: KeyRing, redactor: SecretRedactor = .empty,
                 now: @escaping @Sendable () -> Date = { Date() },
                 eventualDelay: DispatchTimeInterval = .milliseconds(5),
                 eventualSyncDelay: DispatchTimeInterval = .seconds(1),
                 onEventualFailure: @escaping @Sendable (any Error) -> Void = { _ in },
                 syncFile: @escaping @Sendable (Int32) -> Int32 = { fsync($0) }) throws {
        self.path = path
        self.keyRing = keyRing
        self.redactor = redactor
        self.now = now
        self.onEventualFailure = onEventualFailure
        let writeFD = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard writeFD >= 0 else {
            throw AuditLogError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        let readFD = open(path, O_RDONLY | O_CLOEXEC)
        guard readFD >= 0 else {
            let reason = String(cString: strerror(errno))
            close(writeFD)
            throw AuditLogError.cannotOpen(path: path, reason: reason)
        }
        let files = Descriptors(write: writeFD, read: readFD)
        self.files = files
        let flush = FlushHook()
        // A read's entry is written within `eventualDelay` (a killed host keeps it) and synced
        // within `eventualSyncDelay`: one fsync a second under a stream of reads, not 200.
        commits = GroupCommit(label: "imagegen.audit-sync", eventualDelay: eventualDelay, eventualSyncDelay: eventualSyncDelay,
                              onEventualFailure: onEventualFailure, write: { try flush.writePending?() }) {
            guard syncFile(files.write) == 0 else {
                throw AuditLogError.writeFailed(path: path, reason: "fsync: " + String(cString: strerror(errno)))
            }
        }
        state = Mutex(State())
        let recovered = try state.withLock { state in
            try Self.locked(files.write, path: path) {
                try self.finishInterruptedRewrite()
                return try self.synchronise(&state)
            }
        }
        if recovered { try commits.commitBlocking() }
        flush.writePending = { [weak self] in
            guard let self, !self.queue.withLock({ $0.isEmpty }) else { return }
            try self.state.withLock { state in
                try Self.locked(self.files.write, path: self.path) { _ = try self.writePending(then: nil, state: &state) }
            }
        }
    }

    /// Entries still queued when the log is let go are written, not dropped.
    deinit {
        do {
            if !queue.withLock({ $0.isEmpty }) {
                try state.withLock { state in
                    try Self.locked(files.write, path: path) { _ = try writePending(then: nil, state: &state) }
                }
            }
            if fsync(files.write) != 0 {
                throw AuditLogError.writeFailed(path: path, reason: "fsync: " + String(cString: strerror(errno)))
            }
        } catch {
            onEventualFailure(error)
        }
    }

    /// Lets the sync round (created before `self` exists) write the queued entries first.
    private final class FlushHook: @unchecked Sendable {
        /// Set once in `init`, before any round can run; read only by rounds afterwards.
        var writePending: (@Sendable () throws -> Void)?
    }

    /// Appends one entry and returns it; with `.immediate` (the default) once it is on disk.
    @discardableResult
    package func append(principal: String, action: AuditAction, subject: String,
                        details: [String: String] = [:], durability: Durability = .immediate) throws -> AuditEntry {
        let entry = Pending(principal: principal, action: action, subject: subject, details: details, date: now())
        let written = try state.withLock { state in
            try Self.locked(files.write, path: path) { try self.writePending(then: entry, state: &state) }
        }
        if durability == .immediate { try commits.commitBlocking() }
        return written!
    }

    /// Queues an entry that nobody waits for (a read-only API call): it is signed, written and
    /// synced by the next sync round, at most a few milliseconds later, or by the next `append`
    /// (before that append's entry, so the log stays in order). A read thus costs no system
    /// call; a crash can lose the last few milliseconds of such entries, never a change's.
    package func appendEventually(principal: String, action: AuditAction, subject: String,
                                  details: [String: String] = [:]) {
        let entry = Pending(principal: principal, action: action, subject: subject, details: details, date: now())
        queue.withLock { $0.append(entry) }
        commits.eventually()
    }

    /// Returns once every entry appended so far is on disk (one fsync shared with concurrent callers).
    package func makeDurable() async throws {
        try await commits.commit()
    }

    /// `makeDurable` for callers outside async code; blocks the calling thread.
    package func makeDurableBlocking() throws {
        try commits.commitBlocking()
    }

    /// fsyncs run so far (tests count them).
    package var syncRounds: Int { commits.rounds }

    /// The last entry's seq and MAC: record it outside this machine to detect later truncation.
    package func head() throws -> (seq: Int, mac: String)? {
        let listing = try AuditLogReader(path: path).entries()
        return listing.entries.last.map { ($0.seq, $0.mac) }
    }

    // MARK: - Internals (called with the mutex and the file lock held)

    /// Signs and writes the queued entries, then `entry`, in one `write`; returns `entry` signed.
    func writePending(then entry: Pending?, state: inout State) throws -> AuditEntry? {
        try synchronise(&state)
        let queued = queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        var out: [UInt8] = []
        var last: AuditEntry?
        for pending in queued + (entry.map { [$0] } ?? []) { last = sign(pending, state: &state, into: &out) }
        do {
            try writeAll(out, fd: files.write, state: &state)
        } catch {
            // Nothing was written: keep the queued entries ahead of any queued since, and re-read
            // the chain from the file.
            queue.withLock { $0.insert(contentsOf: queued, at: 0) }
            state.knownSize = -1
            throw error
        }
        return last
    }

    /// Signs `pending` as the next entry of the chain and adds its line to `out`.
    func sign(_ pending: Pending, state: inout State, into out: inout [UInt8]) -> AuditEntry {
        let principal = redactor.redact(pending.principal)
        let subject = redactor.redact(pending.subject)
        let details = Dictionary(uniqueKeysWithValues: pending.details.map { (redactor.redact($0.key), redactor.redact($0.value)) })
        let key = keyRing.current
        let seq = state.lastSeq + 1
        let time = AuditEntry.format(pending.date)
        let canonical = AuditEntry.canonicalBytes(seq: seq, time: time, principal: principal, action: pending.action,
                                                  subject: subject, details: details, key: key.id,
                                                  prevHash: state.lastLineHash)
        let entry = AuditEntry(seq: seq, time: time, principal: principal, action: pending.action, subject: subject,
                               details: details, key: key.id, prevHash: state.lastLineHash,
                               mac: SodiumEncoding.hex(AuditDigest.mac(canonical, key: key)))
        let line = entry.encodedLine()
        out.append(contentsOf: line)
        out.append(0x0A)
        state.lastSeq = seq
        state.lastLineHash = AuditDigest.lineHash(line)
        return entry
    }

    func writeAll(_ bytes: [UInt8], fd: Int32, state: inout State) throws {
        let startSize = state.knownSize
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                // Never leave half an entry behind: cut the file back to where this append began.
                _ = ftruncate(fd, off_t(startSize))
                throw AuditLogError.writeFailed(path: path, reason: reason)
            }
            written += n
        }
        state.knownSize = startSize + Int64(bytes.count)
    }

    /// Brings `state` up to date with the file if its size changed since our last append.
    /// Returns whether it cut a torn line (and appended the `audit.recovery` entry).
    @discardableResult
    func synchronise(_ state: inout State) throws -> Bool {
        var info = stat()
        guard fstat(files.write, &info) == 0 else {
            throw AuditLogError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        let size = Int64(info.st_size)
        if size == state.knownSize { return false }
        if size == 0 {
            state.knownSize = 0
            state.lastSeq = 0
            state.lastLineHash = AuditDigest.genesis
            return false
        }
        let tail = try readTail(fd: files.read, size: size)
        var completeSize = size
        var dropped = 0
        if tail.last != 0x0A {
            // A torn append: everything after the last newline never became an entry.
            let cut = tail.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            dropped = tail.count - cut
            completeSize = size - Int64(dropped)
            guard ftruncate(files.write, off_t(completeSize)) == 0 else {
                throw AuditLogError.writeFailed(path: path, reason: "cannot cut the torn last line: " + String(cString: strerror(errno)))
            }
        }
        state.knownSize = completeSize
        let complete = tail.prefix(tail.count - dropped)
        if complete.isEmpty {
            state.lastSeq = 0
            state.lastLineHash = AuditDigest.genesis
        } else {
            let body = complete.dropLast()  // the final newline
            let start = body.lastIndex(of: 0x0A).map { $0 + 1 } ?? body.startIndex
            let lastLine = body[start...]
            let entry: AuditEntry
            do {
                entry = try JSONDecoder().decode(AuditEntry.self, from: Data(lastLine))
            } catch {
                throw AuditLogError.unreadableTail(path: path, reason: "the last line is not a valid entry (\(error))")
            }
            state.lastSeq = entry.seq
            state.lastLineHash = AuditDigest.lineHash(lastLine)
        }
        if dropped > 0 {
            var out: [UInt8] = []
            _ = sign(Pending(principal: "system:audit", action: .auditRecovery, subject: path,
                             details: ["dropped_bytes": String(dropped)], date: now()), state: &state, into: &out)
            do {
                try writeAll(out, fd: files.write, state: &state)
            } catch {
                state.knownSize = -1
                throw error
            }
        }
        return dropped > 0
    }

    /// The file's bytes from the start of its last complete line (or of the torn fragment's
    /// line) to the end, read backwards in growing chunks so a large log costs one small read.
    private func readTail(fd: Int32, size: Int64) throws -> [UInt8] {
        var chunk: Int64 = 64 * 1024
        while true {
            let offset = max(0, size - chunk)
            var buffer = [UInt8](repeating: 0, count: Int(size - offset))
            var filled = 0
            while filled < buffer.count {
                let n = buffer.withUnsafeMutableBytes {
                    pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(offset) + off_t(filled))
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AuditLogError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
                }
                if n == 0 { break }
                filled += n
            }
            buffer.removeLast(buffer.count - filled)
            // Need the newline before the last complete line: the second newline from the end,
            // whether the file ends with a newline or with a torn fragment after one.
            let newlines = buffer.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            if offset == 0 || newlines >= 2 {
                if offset == 0 { return buffer }
                // Return from just after the newline that precedes the last line.
                var seen = 0
                var index = buffer.count - 1
                while index >= 0 {
                    if buffer[index] == 0x0A {
                        seen += 1
                        if seen == 2 { return Array(buffer[(index + 1)...]) }
                    }
                    index -= 1
                }
                return buffer
            }
            chunk *= 4
        }
    }

    static func locked<R>(_ fd: Int32, path: String, _ body: () throws -> R) throws -> R {
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw AuditLogError.cannotOpen(path: path, reason: "flock: " + String(cString: strerror(errno)))
        }
        defer { _ = flock(fd, LOCK_UN) }
        return try body()
    }
}
