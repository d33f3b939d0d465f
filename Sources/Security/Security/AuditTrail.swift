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
            let log = try AuditLog(path: path, keyRing: keyRing, redactor: SecretRedactor(secrets: []))
            return AuditTrail(path: path, log: log, hostLog: hostLog, redaction: redaction, unavailableReason: nil)
        } catch {
            hostLog.error("audit log: \(error)", source: "audit")
            return AuditTrail(path: path, log: nil, hostLog: hostLog, redaction: redaction, unavailableReason: "\(error)")
        }
    }

    /// Appends one entry for the effective caller (or `caller`), with secrets redacted.
    public func record(_ action: AuditAction, subject: String, details: [String: String] = [:], caller: Caller? = nil) {
        let who = caller ?? Caller.effective
        guard let log else {
            hostLog.warning("audit entry \(action.rawValue) \(subject) not recorded: \(unavailableReason ?? "no audit log")",
                            source: "audit")
            return
        }
        let clean: (String) -> String = { [redaction] in redaction?.redact($0) ?? $0 }
        do {
            try log.append(principal: clean(who.principal), action: action, subject: clean(subject),
                           details: Dictionary(uniqueKeysWithValues: details.map { (clean($0.key), clean($0.value)) }))
        } catch {
            hostLog.error("audit entry \(action.rawValue) \(subject) not recorded: \(error)", source: "audit")
        }
    }

    public var isRecording: Bool { log != nil }
}
