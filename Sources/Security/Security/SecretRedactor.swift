import Foundation
import Crypto

/// Masks every configured secret value wherever it appears in a string: log lines, error
/// messages, HTTP error bodies relayed from a provider, anything the host writes or prints.
///
/// Matching works on UTF-8 bytes with a first-byte table: one pass over the text, and at each
/// position only the secrets starting with that byte are compared, longest first. A line with
/// no secret is returned as is, without allocating. Each secret is also matched in the forms
/// it takes inside URLs (percent-encoded) and JSON (escaped), when those differ.
///
/// Values shorter than `minimumLength` are not masked (they would mangle ordinary words); their
/// names are reported in `skippedNames` so start-up can warn that such a secret is too short.
package struct SecretRedactor: Sendable {
    package static let minimumLength = 6

    struct Pattern: Sendable {
        let bytes: [UInt8]
        let mask: [UInt8]
    }

    /// Patterns by their first byte, each bucket longest first.
    private let buckets: [[Pattern]]
    /// Whether any pattern starts with this byte: the scan loop reads only this table.
    private let isFirstByte: [Bool]
    package let skippedNames: [String]
    package let secretCount: Int

    /// `secrets`: name → value. The name appears in the mask (`[REDACTED:NAME]`) so a reader
    /// knows which secret was there; the value never does.
    package init(secrets: [(name: String, value: String)]) {
        var buckets = [[Pattern]](repeating: [], count: 256)
        var skipped: [String] = []
        var seen = Set<[UInt8]>()
        var count = 0
        for (name, value) in secrets {
            guard value.utf8.count >= Self.minimumLength else {
                if !value.isEmpty { skipped.append(name) }
                continue
            }
            count += 1
            let mask = Array("[REDACTED:\(name)]".utf8)
            for form in Self.forms(of: value) where form.utf8.count >= Self.minimumLength {
                let bytes = Array(form.utf8)
                guard seen.insert(bytes).inserted else { continue }
                buckets[Int(bytes[0])].append(Pattern(bytes: bytes, mask: mask))
            }
        }
        for index in buckets.indices { buckets[index].sort { $0.bytes.count > $1.bytes.count } }
        self.buckets = buckets
        self.isFirstByte = buckets.map { !$0.isEmpty }
        self.skippedNames = skipped
        self.secretCount = count
    }

    /// A redactor for the secrets of a store plus every encoding of the ring's master keys.
    package init(store: SecretStore, keyRing: KeyRing?) {
        var secrets = store.namedValues
        for key in keyRing?.allKeys ?? [] {
            for encoding in key.textEncodings {
                secrets.append((name: "master key \(key.id)", value: encoding))
            }
        }
        self.init(secrets: secrets)
    }

    package static let empty = SecretRedactor(secrets: [])

    /// The text with every secret replaced by `[REDACTED:NAME]`.
    package func redact(_ text: String) -> String {
        guard secretCount > 0 else { return text }
        var text = text
        return text.withUTF8 { bytes -> String in
            guard let first = firstMatch(in: bytes, from: 0) else { return String(decoding: bytes, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var position = 0
            var match: (at: Int, pattern: Pattern)? = first
            while let (at, pattern) = match {
                out.append(contentsOf: bytes[position..<at])
                out.append(contentsOf: pattern.mask)
                position = at + pattern.bytes.count
                match = firstMatch(in: bytes, from: position)
            }
            out.append(contentsOf: bytes[position...])
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Whether any secret occurs in the text (for tests and for refusing to persist a value).
    package func containsSecret(_ text: String) -> Bool {
        guard secretCount > 0 else { return false }
        var text = text
        return text.withUTF8 { firstMatch(in: $0, from: 0) != nil }
    }

    private func firstMatch(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (at: Int, pattern: Pattern)? {
        isFirstByte.withUnsafeBufferPointer { table in
            var index = start
            let end = bytes.count
            while index < end {
                if table[Int(bytes[index])] {
                    for pattern in buckets[Int(bytes[index])] where pattern.bytes.count <= end - index {
                        if matches(pattern.bytes, in: bytes, at: index) { return (index, pattern) }
                    }
                }
                index += 1
            }
            return nil
        }
    }

    private func matches(_ pattern: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        pattern.withUnsafeBufferPointer { p in
            memcmp(p.baseAddress!, bytes.baseAddress! + index, p.count) == 0
        }
    }

    /// The value as written raw, percent-encoded (URLs, form bodies) and JSON-escaped.
    static func forms(of value: String) -> [String] {
        var forms = [value]
        if let percent = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics), percent != value {
            forms.append(percent)
        }
        var json = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "/": json += "\\/"
            default: json.unicodeScalars.append(scalar)
            }
        }
        if json != value { forms.append(json) }
        return forms
    }
}
