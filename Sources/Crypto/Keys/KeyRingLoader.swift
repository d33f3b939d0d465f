import Foundation
import DurableFiles
/// Builds the key ring from the environment or from a key file, and nothing else: a key in the
/// config text would end up in backups, diffs and bug reports.
///
/// Sources, in order:
/// - `IMAGEGEN_MASTER_KEY` (current) and optional `IMAGEGEN_MASTER_KEY_PREVIOUS` (comma- or
///   space-separated previous keys);
/// - a key file named by the caller (from config) or by `IMAGEGEN_MASTER_KEY_FILE`: mode 0600,
///   one key per line, the first is current, the rest are previous; `#` starts a comment.
/// Configuring both is refused, because which key is current would be ambiguous.
package enum KeyRingLoader {
    package static let keyVariable = "IMAGEGEN_MASTER_KEY"
    package static let previousKeysVariable = "IMAGEGEN_MASTER_KEY_PREVIOUS"
    package static let keyFileVariable = "IMAGEGEN_MASTER_KEY_FILE"

    /// Returns nil when no key is configured at all (the host then runs locked: it lists
    /// everything but refuses to read or write prompts). Throws when a key is configured but
    /// unusable, so the host refuses to start instead of silently running locked.
    package static func load(environment: [String: String], keyFile: String? = nil) throws -> KeyRing? {
        let envKey = environment[keyVariable].flatMap { $0.isEmpty ? nil : $0 }
        let filePath = keyFile ?? environment[keyFileVariable].flatMap { $0.isEmpty ? nil : $0 }
        switch (envKey, filePath) {
        case (nil, nil):
            return nil
        case (.some, .some(let path)):
            throw MasterKeyError.conflictingSources(file: path)
        case (.some(let text), nil):
            let current = try MasterKey(encoded: text, source: keyVariable)
            var previous: [MasterKey] = []
            if let list = environment[previousKeysVariable] {
                let parts = list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" })
                for (index, part) in parts.enumerated() {
                    previous.append(try MasterKey(encoded: String(part),
                                                  source: "\(previousKeysVariable) entry \(index + 1)"))
                }
            }
            return try KeyRing(current: current, previous: previous,
                               source: "\(keyVariable) and \(previousKeysVariable)")
        case (nil, .some(let path)):
            return try loadFile(path)
        }
    }

    package static func loadFile(_ path: String) throws -> KeyRing {
        var bytes: [UInt8]
        do {
            bytes = try OwnerOnlyFile.contents(of: path, purpose: "key file")
        } catch {
            throw MasterKeyError.keyFile(error)
        }
        defer { SodiumRuntime.wipe(&bytes) }
        var keys: [MasterKey] = []
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty || text.hasPrefix("#") { continue }
            keys.append(try MasterKey(encoded: text, source: "line \(lineNumber) of the key file \(path)"))
        }
        guard let current = keys.first else { throw MasterKeyError.emptyKeyFile(path: path) }
        return try KeyRing(current: current, previous: Array(keys.dropFirst()), source: "key file \(path)")
    }
}
