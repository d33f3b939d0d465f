import Foundation
import Crypto

/// Reads an audit log: lists entries and verifies the chain. Listing needs no key (the log is
/// not secret, only tamper-evident); verifying needs the key ring that signed it.
package struct AuditLogReader: Sendable {
    package let path: String

    package init(path: String) {
        self.path = path
    }

    /// Entries in file order, optionally only those at or after `since` and of some actions.
    /// Lines that do not parse are skipped and counted in `unreadableLines` (run `verify`).
    package func entries(since: Date? = nil, actions: Set<AuditAction>? = nil) throws -> AuditListing {
        let lines = try readLines()
        var listing = AuditListing()
        for (index, line) in lines.lines.enumerated() {
            // try?: the listing records the line number in `unreadableLines` (documented above); `verify` names the defect
            guard let entry = try? JSONDecoder().decode(AuditEntry.self, from: Data(line)) else {
                listing.unreadableLines.append(index + 1)
                continue
            }
            if let since, let date = entry.date, date < since { continue }
            if let actions, !actions.contains(entry.action) { continue }
            listing.entries.append(entry)
        }
        return listing
    }

    /// Checks every line: it parses, its MAC verifies under the key it names, its seq follows
    /// the previous one and its `prev_hash` is the hash of the previous line. Stops at the first
    /// failure and names it. If `expectedHead` (a head recorded earlier) is given, also detects
    /// entries cut off the end, which the chain alone cannot show.
    package func verify(keyRing: KeyRing, expectedHead: (seq: Int, mac: String)? = nil) throws -> AuditVerification {
        let file = try readLines()
        var previousHash = AuditDigest.genesis
        var expectedSeq = 1
        var lastMAC: String?
        let decoder = JSONDecoder()
        for (index, line) in file.lines.enumerated() {
            let lineNumber = index + 1
            if index == file.lines.count - 1, file.tornTail {
                return .broken(AuditViolation(line: lineNumber, seq: nil, problem: .tornLastLine))
            }
            let entry: AuditEntry
            do {
                entry = try decoder.decode(AuditEntry.self, from: Data(line))
            } catch {
                return .broken(AuditViolation(line: lineNumber, seq: nil, problem: .unparseable(Self.reason(error))))
            }
            guard let key = keyRing.key(for: entry.key) else {
                return .broken(AuditViolation(line: lineNumber, seq: entry.seq, problem: .unknownKey(entry.key)))
            }
            guard AuditDigest.verify(mac: entry.mac, over: entry.canonicalBytes, key: key) else {
                return .broken(AuditViolation(line: lineNumber, seq: entry.seq, problem: .macMismatch))
            }
            guard entry.seq == expectedSeq else {
                return .broken(AuditViolation(line: lineNumber, seq: entry.seq,
                                              problem: .sequenceMismatch(expected: expectedSeq, found: entry.seq)))
            }
            guard entry.prevHash == previousHash else {
                return .broken(AuditViolation(line: lineNumber, seq: entry.seq, problem: .chainBroken))
            }
            if let head = expectedHead, head.seq == entry.seq, head.mac != entry.mac {
                return .broken(AuditViolation(line: lineNumber, seq: entry.seq, problem: .headMismatch(seq: head.seq)))
            }
            previousHash = AuditDigest.lineHash(line)
            expectedSeq += 1
            lastMAC = entry.mac
        }
        let lastSeq = expectedSeq - 1
        if let head = expectedHead, head.seq > lastSeq {
            return .broken(AuditViolation(line: file.lines.count, seq: lastSeq,
                                          problem: .truncated(expectedLastSeq: head.seq, foundLastSeq: lastSeq)))
        }
        return .intact(entries: file.lines.count, lastSeq: lastSeq, lastMAC: lastMAC)
    }

    struct Lines {
        var lines: [ArraySlice<UInt8>]
        /// The file does not end with a newline, so its last line is incomplete.
        var tornTail: Bool
    }

    func readLines() throws -> Lines {
        guard FileManager.default.fileExists(atPath: path) else { return Lines(lines: [], tornTail: false) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AuditLogError.cannotOpen(path: path, reason: error.localizedDescription)
        }
        let bytes = [UInt8](data)
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let torn = !(bytes.isEmpty || bytes.last == 0x0A)
        if !torn { lines.removeLast() }  // the empty piece after the final newline
        return Lines(lines: lines, tornTail: torn)
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "field '\(key.stringValue)' is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "invalid JSON"
                : "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is invalid"
        default: return "invalid JSON"
        }
    }
}

/// What `AuditLogReader.entries` found.
package struct AuditListing: Sendable {
    package var entries: [AuditEntry] = []
    /// 1-based numbers of lines that are not valid entries.
    package var unreadableLines: [Int] = []
}
