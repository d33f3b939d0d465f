import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto

/// The append-only, hash-chained audit log (JSON lines).
///
/// Appends are serialised twice: a `Mutex` for the threads of this process and an exclusive
/// `flock` on the file for other processes (the CLI and `imagegen serve` can share a log).
/// Under both, the appender checks the file size; if someone else appended since, it re-reads
/// the last line to continue the chain from it. Each entry goes out in a single `write` on an
/// `O_APPEND` descriptor followed by `fsync`, so an entry is either wholly in the log or absent;
/// a crash mid-write leaves a torn last line, which the next open cuts off and records as an
/// `audit.recovery` entry.
package final class AuditLog: Sendable {
    package let path: String
    private let keyRing: KeyRing
    private let redactor: SecretRedactor
    private let now: @Sendable () -> Date
    private let state: Mutex<State>

    private struct State: ~Copyable {
        let writeFD: Int32
        let readFD: Int32
        /// File size after our last append; a different size means another writer appended.
        var knownSize: Int64 = -1
        var lastSeq = 0
        var lastLineHash = AuditDigest.genesis

        deinit {
            close(writeFD)
            close(readFD)
        }
    }

    /// Opens (or creates, mode 0600) the log at `path`. Every principal, subject and detail goes
    /// through `redactor` before it is written, so a secret passed by mistake never lands in
    /// the (plaintext) log. `now` is injectable for tests.
    package init(path: String, keyRing: KeyRing, redactor: SecretRedactor = .empty,
                now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.path = path
        self.keyRing = keyRing
        self.redactor = redactor
        self.now = now
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
        state = Mutex(State(writeFD: writeFD, readFD: readFD))
        try state.withLock { state in
            try Self.locked(state.writeFD, path: path) {
                try self.synchronise(&state)
            }
        }
    }

    /// Appends one entry and returns it once it is on disk.
    @discardableResult
    package func append(principal: String, action: AuditAction, subject: String,
                       details: [String: String] = [:]) throws -> AuditEntry {
        try state.withLock { state in
            try Self.locked(state.writeFD, path: path) {
                try self.synchronise(&state)
                return try self.write(principal: principal, action: action, subject: subject,
                                      details: details, into: &state)
            }
        }
    }

    /// The last entry's seq and MAC: record it outside this machine to detect later truncation.
    package func head() throws -> (seq: Int, mac: String)? {
        let listing = try AuditLogReader(path: path).entries()
        return listing.entries.last.map { ($0.seq, $0.mac) }
    }

    // MARK: - Internals (called with the mutex and the file lock held)

    private func write(principal: String, action: AuditAction, subject: String,
                       details: [String: String], into state: inout State) throws -> AuditEntry {
        let principal = redactor.redact(principal)
        let subject = redactor.redact(subject)
        let details = Dictionary(uniqueKeysWithValues: details.map { (redactor.redact($0.key), redactor.redact($0.value)) })
        let key = keyRing.current
        let seq = state.lastSeq + 1
        let time = AuditEntry.format(now())
        let canonical = AuditEntry.canonicalBytes(seq: seq, time: time, principal: principal, action: action,
                                                  subject: subject, details: details, key: key.id,
                                                  prevHash: state.lastLineHash)
        let entry = AuditEntry(seq: seq, time: time, principal: principal, action: action, subject: subject,
                               details: details, key: key.id, prevHash: state.lastLineHash,
                               mac: SodiumEncoding.hex(AuditDigest.mac(canonical, key: key)))
        let line = entry.encodedLine()
        try writeAll(line + [0x0A], state: &state)
        state.lastSeq = seq
        state.lastLineHash = AuditDigest.lineHash(line)
        return entry
    }

    private func writeAll(_ bytes: [UInt8], state: inout State) throws {
        let startSize = state.knownSize
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(state.writeFD, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                // Never leave half an entry behind: cut the file back to where this append began.
                _ = ftruncate(state.writeFD, off_t(startSize))
                throw AuditLogError.writeFailed(path: path, reason: reason)
            }
            written += n
        }
        guard fsync(state.writeFD) == 0 else {
            throw AuditLogError.writeFailed(path: path, reason: "fsync: " + String(cString: strerror(errno)))
        }
        state.knownSize = startSize + Int64(bytes.count)
    }

    /// Brings `state` up to date with the file if its size changed since our last append.
    private func synchronise(_ state: inout State) throws {
        var info = stat()
        guard fstat(state.writeFD, &info) == 0 else {
            throw AuditLogError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        let size = Int64(info.st_size)
        if size == state.knownSize { return }
        if size == 0 {
            state.knownSize = 0
            state.lastSeq = 0
            state.lastLineHash = AuditDigest.genesis
            return
        }
        let tail = try readTail(fd: state.readFD, size: size)
        var completeSize = size
        var dropped = 0
        if tail.last != 0x0A {
            // A torn append: everything after the last newline never became an entry.
            let cut = tail.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            dropped = tail.count - cut
            completeSize = size - Int64(dropped)
            guard ftruncate(state.writeFD, off_t(completeSize)) == 0 else {
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
            _ = try write(principal: "system:audit", action: .auditRecovery, subject: path,
                          details: ["dropped_bytes": String(dropped)], into: &state)
        }
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

    private static func locked<R>(_ fd: Int32, path: String, _ body: () throws -> R) throws -> R {
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw AuditLogError.cannotOpen(path: path, reason: "flock: " + String(cString: strerror(errno)))
        }
        defer { _ = flock(fd, LOCK_UN) }
        return try body()
    }
}
