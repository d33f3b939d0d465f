import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Crypto
import DurableFiles

/// What a pseudonymising rewrite of the audit log did.
package struct AuditRewrite: Sendable, Equatable {
    /// Entries that named the person (now the pseudonym).
    package var entriesChanged: Int
    /// Entries re-signed because they follow the first changed one (their `prev_hash` changed).
    package var entriesResigned: Int
    /// The head before the rewrite (seq and MAC): a head recorded elsewhere earlier is superseded
    /// by the `user.erase` entry that names it.
    package var previousHead: (seq: Int, mac: String)?

    package static func == (a: AuditRewrite, b: AuditRewrite) -> Bool {
        a.entriesChanged == b.entriesChanged && a.entriesResigned == b.entriesResigned
            && a.previousHead?.seq == b.previousHead?.seq && a.previousHead?.mac == b.previousHead?.mac
    }
}

extension AuditLog {
    /// The recovery copy of a rewrite in progress: a kill between cutting the log and writing it
    /// back is finished from it at the next open.
    var rewritePath: String { path + ".rewrite" }

    /// Replaces a person's names in every entry (GDPR erasure) while keeping the log verifiable:
    /// entries before the first that names them keep their bytes; from there on each entry is
    /// re-signed with the current key and re-chained (same seq, time and action), and a
    /// `user.erase` entry records the pseudonym, the counts and the head before the rewrite.
    /// `audit verify` passes afterwards; a head written down before the erasure no longer
    /// matches, and the erasure entry says why. The name-to-pseudonym mapping is not kept.
    ///
    /// Runs under the same mutex and file lock as appends, so other processes sharing the log
    /// re-read its tail before their next entry.
    package func pseudonymise(_ replace: @escaping @Sendable (String) -> String?, principal: String, pseudonym: String) throws -> AuditRewrite {
        let result = try state.withLock { state in
            try Self.locked(files.write, path: path) { () throws -> AuditRewrite in
                _ = try writePending(then: nil, state: &state)
                let bytes = try readAll()
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                if lines.last?.isEmpty == true { lines.removeLast() }
                var keep = 0, changed = 0, resigned = 0
                var rewritten = State()
                var out: [UInt8] = []
                var previous: AuditEntry?
                for line in lines {
                    let entry = try JSONDecoder().decode(AuditEntry.self, from: Data(line))
                    previous = entry
                    let principal = replace(entry.principal) ?? entry.principal
                    let subject = replace(entry.subject) ?? entry.subject
                    let details = Dictionary(uniqueKeysWithValues: entry.details.map { ($0.key, replace($0.value) ?? $0.value) })
                    let touched = principal != entry.principal || subject != entry.subject || details != entry.details
                    if touched { changed += 1 }
                    if out.isEmpty && !touched {
                        keep += line.count + 1
                        rewritten.lastSeq = entry.seq
                        rewritten.lastLineHash = AuditDigest.lineHash(line)
                        continue
                    }
                    if !touched { resigned += 1 }
                    resign(entry, principal: principal, subject: subject, details: details, state: &rewritten, into: &out)
                }
                let report = AuditRewrite(entriesChanged: changed, entriesResigned: resigned,
                                          previousHead: previous.map { ($0.seq, $0.mac) })
                var details = [
                    "entries_changed": String(changed), "entries_resigned": String(resigned),
                    "previous_head_seq": String(report.previousHead?.seq ?? 0), "previous_head_mac": report.previousHead?.mac ?? "",
                ]
                let date = now()
                var tail = out
                var signed = rewritten
                _ = sign(Pending(principal: principal, action: .userErasure, subject: pseudonym, details: details, date: date),
                         state: &signed, into: &tail)
                // Another process notices the rewrite by the file's size: never leave it as it was.
                if Int64(keep + tail.count) == state.knownSize {
                    details["padding"] = "-"
                    (tail, signed) = (out, rewritten)
                    _ = sign(Pending(principal: principal, action: .userErasure, subject: pseudonym, details: details, date: date),
                             state: &signed, into: &tail)
                }
                try commitRewrite(keepingFirst: keep, tail: tail)
                state.knownSize = Int64(keep + tail.count)
                state.lastSeq = signed.lastSeq
                state.lastLineHash = signed.lastLineHash
                return report
            }
        }
        try commits.commitBlocking()
        return result
    }

    /// One entry re-signed with the current key after the chain changed, seq and time kept.
    private func resign(_ entry: AuditEntry, principal: String, subject: String, details: [String: String],
                        state: inout State, into out: inout [UInt8]) {
        let key = keyRing.current
        let canonical = AuditEntry.canonicalBytes(seq: entry.seq, time: entry.time, principal: principal, action: entry.action,
                                                  subject: subject, details: details, key: key.id, prevHash: state.lastLineHash)
        let signed = AuditEntry(seq: entry.seq, time: entry.time, principal: principal, action: entry.action, subject: subject,
                                details: details, key: key.id, prevHash: state.lastLineHash,
                                mac: SodiumEncoding.hex(AuditDigest.mac(canonical, key: key)))
        let line = signed.encodedLine()
        out.append(contentsOf: line)
        out.append(0x0A)
        state.lastSeq = entry.seq
        state.lastLineHash = AuditDigest.lineHash(line)
    }

    /// Writes the new tail durably: first a recovery copy of the whole new log, then the log cut
    /// back to the unchanged prefix and the tail appended, fsynced, then the copy removed.
    private func commitRewrite(keepingFirst keep: Int, tail: [UInt8]) throws {
        let prefix = try readAll().prefix(keep)
        do {
            try AtomicFile.write(Array(prefix) + tail, to: rewritePath, mode: 0o600)
        } catch {
            throw AuditLogError.writeFailed(path: rewritePath, reason: "\(error)")
        }
        try restore(Array(prefix) + tail, keepingFirst: keep)
        try FileManager.default.removeItem(atPath: rewritePath)
    }

    /// Finishes a rewrite a kill interrupted (called at open, under the file lock).
    func finishInterruptedRewrite() throws {
        guard let copy = FileManager.default.contents(atPath: rewritePath) else { return }
        try restore(Array(copy), keepingFirst: 0)
        try FileManager.default.removeItem(atPath: rewritePath)
    }

    private func restore(_ content: [UInt8], keepingFirst keep: Int) throws {
        guard ftruncate(files.write, off_t(keep)) == 0 else {
            throw AuditLogError.writeFailed(path: path, reason: "cannot cut the log for the rewrite: " + String(cString: strerror(errno)))
        }
        var scratch = State()
        scratch.knownSize = Int64(keep)
        try writeAll(Array(content[keep...]), fd: files.write, state: &scratch)
        guard fsync(files.write) == 0 else {
            throw AuditLogError.writeFailed(path: path, reason: "fsync: " + String(cString: strerror(errno)))
        }
    }

    private func readAll() throws -> [UInt8] {
        var info = stat()
        guard fstat(files.read, &info) == 0 else { throw AuditLogError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        var buffer = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < buffer.count {
            let n = buffer.withUnsafeMutableBytes { pread(files.read, $0.baseAddress! + filled, $0.count - filled, off_t(filled)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            filled += n
        }
        return Array(buffer.prefix(filled))
    }
}
