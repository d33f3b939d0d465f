import Crypto
/// The result of checking an audit log from its first line to its last.
package enum AuditVerification: Sendable, Equatable, CustomStringConvertible {
    /// Every line verified. `lastSeq`/`lastMAC` are the head: write them down elsewhere (a
    /// ticket, another machine) and pass them to a later `verify` to detect a cut-off tail.
    case intact(entries: Int, lastSeq: Int, lastMAC: String?)
    /// The first line that failed, and why.
    case broken(AuditViolation)

    package var isIntact: Bool {
        if case .intact = self { return true }
        return false
    }

    package var description: String {
        switch self {
        case .intact(let entries, let seq, _):
            return entries == 0 ? "audit log is empty" : "audit log intact: \(entries) entries, last seq \(seq)"
        case .broken(let violation):
            return violation.description
        }
    }
}

/// The first bad line of an audit log.
package struct AuditViolation: Sendable, Equatable, CustomStringConvertible {
    package enum Problem: Sendable, Equatable {
        /// The line is not a JSON entry.
        case unparseable(String)
        /// The MAC does not match the content: the entry was edited (or forged without the key).
        case macMismatch
        /// The entry's `prev_hash` is not the hash of the line before it.
        case chainBroken
        /// The sequence number is not the previous one plus one.
        case sequenceMismatch(expected: Int, found: Int)
        /// The entry was signed with a key that is not in the ring.
        case unknownKey(KeyID)
        /// The last line has no newline: an append was cut off (crash) or the file was truncated.
        case tornLastLine
        /// The log ends before the head recorded earlier: entries were cut off the end.
        case truncated(expectedLastSeq: Int, foundLastSeq: Int)
        /// The entry at the recorded head seq has a different MAC than recorded.
        case headMismatch(seq: Int)
    }

    /// 1-based line number in the file.
    package let line: Int
    /// The seq the line claims, when it could be read.
    package let seq: Int?
    package let problem: Problem

    package var description: String {
        let place = "line \(line)" + (seq.map { " (seq \($0))" } ?? "")
        switch problem {
        case .unparseable(let reason):
            return "\(place): not a valid audit entry (\(reason)) — the line was edited or corrupted"
        case .macMismatch:
            return "\(place): MAC does not match — the entry was edited"
        case .chainBroken:
            return "\(place): prev_hash does not match the line before — an entry was deleted, inserted or reordered here"
        case .sequenceMismatch(let expected, let found):
            return found > expected
                ? "\(place): expected seq \(expected), found \(found) — entries \(expected)…\(found - 1) were deleted or moved"
                : "\(place): expected seq \(expected), found \(found) — entries were reordered or duplicated"
        case .unknownKey(let key):
            return "\(place): signed with key \(key), which is not in the key ring — add it as a previous key to verify"
        case .tornLastLine:
            return "\(place): the last line is incomplete (no newline) — an append was interrupted or the file was truncated"
        case .truncated(let expected, let found):
            return "\(place): the log ends at seq \(found) but a head at seq \(expected) was recorded — entries were cut off the end"
        case .headMismatch(let seq):
            return "\(place): the entry at seq \(seq) differs from the recorded head — the log was rewritten"
        }
    }
}
