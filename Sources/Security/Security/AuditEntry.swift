import Foundation
import Crypto
import ImagegenJSON

/// One line of the audit log.
///
/// `mac` is HMAC-SHA256, keyed with the audit subkey of the master key `key`, over the
/// canonical form of every other field, `prev_hash` included; `prev_hash` is the SHA-256 of the
/// previous line exactly as stored. So editing a line breaks its MAC, and deleting, inserting
/// or reordering lines breaks the chain (and the sequence) at the first line after the change.
package struct AuditEntry: Codable, Sendable, Equatable {
    package let seq: Int
    /// UTC, ISO 8601 with milliseconds: `2026-03-01T12:00:00.000Z`.
    package let time: String
    /// Who acted: `cli:<user>`, `token:<token name>`, `system:<component>`. Never a secret.
    package let principal: String
    package let action: AuditAction
    /// What was acted on: a job id, plugin id, budget name, …
    package let subject: String
    /// Extra facts (rule id, model, old/new value). Never prompts or secrets: the log is plaintext.
    package let details: [String: String]
    /// The id of the master key whose audit subkey made `mac`.
    package let key: KeyID
    package let prevHash: String
    package let mac: String

    enum CodingKeys: String, CodingKey {
        case seq, time, principal, action, subject, details, key
        case prevHash = "prev_hash"
        case mac
    }

    /// The entry's time as a date (nil only if the line was edited into an invalid time).
    package var date: Date? {
        try? Self.timeFormat.parse(time)  // try?: nil is the documented answer; `verify` reports the edit
    }

    static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func format(_ date: Date) -> String { timeFormat.format(date) }

    /// The bytes the MAC covers: every field but `mac`, length-prefixed and in a fixed order,
    /// details sorted by key bytes. Defined here rather than as "the JSON" so verification does
    /// not depend on how a JSON encoder orders keys or escapes characters.
    static func canonicalBytes(seq: Int, time: String, principal: String, action: AuditAction, subject: String,
                               details: [String: String], key: KeyID, prevHash: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: "imagegen.audit.v1\n".utf8)
        // Appended straight from the strings' UTF-8 views: no intermediate arrays (this runs for
        // every API call).
        func field(_ name: String, _ value: String) {
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: String(value.utf8.count).utf8)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: value.utf8)
            out.append(0x0A)
        }
        field("seq", String(seq))
        field("time", time)
        field("principal", principal)
        field("action", action.rawValue)
        field("subject", subject)
        let sorted = details.map { (Array($0.key.utf8), Array($0.value.utf8)) }
            .sorted { $0.0.lexicographicallyPrecedes($1.0) }
        out.append(contentsOf: "details:\(sorted.count)\n".utf8)
        for (name, value) in sorted {
            out.append(contentsOf: String(name.count).utf8); out.append(UInt8(ascii: ":")); out.append(contentsOf: name)
            out.append(UInt8(ascii: "=")); out.append(contentsOf: String(value.count).utf8); out.append(UInt8(ascii: ":"))
            out.append(contentsOf: value)
            out.append(0x0A)
        }
        field("key", key.rawValue)
        field("prev_hash", prevHash)
        return out
    }

    var canonicalBytes: [UInt8] {
        Self.canonicalBytes(seq: seq, time: time, principal: principal, action: action, subject: subject,
                            details: details, key: key, prevHash: prevHash)
    }

    /// The JSON line as written (without the newline); keys sorted for readable diffs.
    ///
    /// Written directly rather than through JSONEncoder (tens of µs per entry on Linux): every
    /// API call appends one, so this is on the path of `GET /v1/models`.
    func encodedLine() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        func member(_ name: String, first: Bool = false) {
            if !first { out.append(UInt8(ascii: ",")) }
            JSONValue.writeString(name, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        out.append(UInt8(ascii: "{"))
        member("action", first: true); JSONValue.writeString(action.rawValue, to: &out)
        member("details")
        out.append(UInt8(ascii: "{"))
        for (index, name) in details.keys.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.writeString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONValue.writeString(details[name]!, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        member("key"); JSONValue.writeString(key.rawValue, to: &out)
        member("mac"); JSONValue.writeString(mac, to: &out)
        member("prev_hash"); JSONValue.writeString(prevHash, to: &out)
        member("principal"); JSONValue.writeString(principal, to: &out)
        member("seq"); out.append(contentsOf: String(seq).utf8)
        member("subject"); JSONValue.writeString(subject, to: &out)
        member("time"); JSONValue.writeString(time, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
