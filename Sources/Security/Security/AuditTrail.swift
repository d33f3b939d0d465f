import Foundation
import Crypto
import ImagegenCore

/// The host's side of the audit log: one call per audited event, never an error for the
/// caller. An entry that cannot be written (disk full, locked host) is reported in the host's
/// log instead, because refusing a cancellation since its record failed would be worse.
///
/// Details are facts (ids, rule ids, limits), never prompts: the log is plaintext.
public final class AuditTrail: Sendable {
    public let path: String
    let log: AuditLog?
    let hostLog: Log
    let redaction: LiveRedaction?
    /// Why nothing is recorded (no key to sign with), or nil.
    public let unavailableReason: String?

    init(path: String, log: AuditLog?, hostLog: Log, redaction: LiveRedaction?, unavailableReason: String?) {
        self.path = path
        self.log = log
        self.hostLog = hostLog
        self.redaction = redaction
        self.unavailableReason = unavailableReason
    }

    /// Opens `path` (created mode 0600) signing with `keyRing`; without a ring nothing is recorded.
    static func open(path: String, keyRing: KeyRing?, redaction: LiveRedaction, hostLog: Log,
                     lockedReason: String?) -> AuditTrail {
        guard let keyRing else {
            return AuditTrail(path: path, log: nil, hostLog: hostLog, redaction: redaction,
                              unavailableReason: lockedReason ?? "no master key to sign entries with")
        }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            let log = try AuditLog(path: path, keyRing: keyRing, redactor: SecretRedactor(secrets: []),
                                   onEventualFailure: { hostLog.error("audit log: entries of read-only calls may not be on disk: \($0)", source: "audit") })
            return AuditTrail(path: path, log: log, hostLog: hostLog, redaction: redaction, unavailableReason: nil)
        } catch {
            hostLog.error("audit log: \(error)", source: "audit")
            return AuditTrail(path: path, log: nil, hostLog: hostLog, redaction: redaction, unavailableReason: "\(error)")
        }
    }

    /// Appends one entry for the effective caller (or `caller`), with secrets redacted.
    ///
    /// An entry that records a change is on disk before the change is acknowledged: inside
    /// `acknowledging` (an API request) the scope waits for it once, with every other entry of
    /// the request, before the response leaves; outside one, `record` waits itself. Either way
    /// the fsync is shared with the entries written around the same time. An entry with
    /// `changesState: false` (a read-only API call) is synced within a few milliseconds
    /// without anyone waiting for it.
    public func record(_ action: AuditAction, subject: String, details: [String: String] = [:], caller: Caller? = nil,
                       changesState: Bool = true) {
        let who = caller ?? Caller.effective
        guard let log else {
            hostLog.warning("audit entry \(action.rawValue) \(subject) not recorded: \(unavailableReason ?? "no audit log")",
                            source: "audit")
            return
        }
        let clean: (String) -> String = { [redaction] in redaction?.redact($0) ?? $0 }
        let details = Dictionary(uniqueKeysWithValues: details.map { (clean($0.key), clean($0.value)) })
        guard changesState else {
            log.appendEventually(principal: clean(who.principal), action: action, subject: clean(subject), details: details)
            return
        }
        let scope = AuditAcknowledgement.current
        do {
            try log.append(principal: clean(who.principal), action: action, subject: clean(subject), details: details,
                           durability: scope == nil ? .immediate : .beforeAcknowledgement)
            // Noted after the write, so the scope's sync covers it; a scope that has closed
            // meanwhile (a task that outlived its request) will not, so sync here.
            if let scope, !scope.expectEntry() { try log.makeDurableBlocking() }
        } catch {
            hostLog.error("audit entry \(action.rawValue) \(subject) not recorded: \(error)", source: "audit")
        }
    }

    /// Runs `body` (the handling of one request) and, when it recorded a change, returns only
    /// once those entries are on disk: the caller acknowledges the change after this returns.
    public func acknowledging<T: Sendable>(_ body: () async -> T) async -> T {
        let scope = AuditAcknowledgement()
        let result = await AuditAcknowledgement.$current.withValue(scope) { await body() }
        if scope.close(), let log {
            do {
                try await log.makeDurable()
            } catch {
                hostLog.error("audit entries of a request may not be on disk: \(error)", source: "audit")
            }
        }
        return result
    }

    /// Writes and syncs every queued entry (those of read-only calls); at shutdown.
    public func flush() async {
        do {
            try await log?.makeDurable()
        } catch {
            hostLog.error("audit log: the last entries may not be on disk: \(error)", source: "audit")
        }
    }

    public var isRecording: Bool { log != nil }
}
