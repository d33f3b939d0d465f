import Foundation
import Crypto
import DurableFiles

/// API keys and other provider secrets, taken only from the process environment and from a
/// secrets file that nobody but its owner can read. Never from the config text: config files
/// end up in version control, backups and bug reports.
///
/// The secrets file is either `NAME=value` lines (`#` comments, optional `export ` prefix,
/// optional matching quotes around the value) or a JSON object of strings. When a name is in
/// both, the environment wins, so an operator can override a file entry for one run.
public struct SecretStore: Sendable, CustomStringConvertible, CustomReflectable {
    public static let secretsFileVariable = "IMAGEGEN_SECRETS_FILE"

    /// Environment variables that are treated as secrets even if no plugin declared them: their
    /// values are redacted wherever they appear.
    static let secretNameSuffixes = ["_API_KEY", "_API_TOKEN", "_TOKEN", "_SECRET", "_SECRET_KEY", "_PASSWORD"]

    private let values: [String: String]

    public init(values: [String: String]) {
        self.values = values
    }

    /// Loads the declared secret names from the environment, every entry of the secrets file
    /// (`secretsFile`, else `IMAGEGEN_SECRETS_FILE`), and any environment variable whose name
    /// looks like a secret (`*_API_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`).
    public static func load(environment: [String: String], secretsFile: String? = nil,
                            declaredNames: Set<String> = []) throws -> SecretStore {
        var values: [String: String] = [:]
        if let path = secretsFile ?? environment[secretsFileVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            values = try parseFile(path)
        }
        for (name, value) in environment where !value.isEmpty {
            if declaredNames.contains(name) || looksLikeSecretName(name) {
                values[name] = value
            }
        }
        // The master key is the host's alone: plugins ask this store for secrets by name, so it
        // must never answer with the key (the redactor learns its encodings from the key ring).
        for name in values.keys where isMasterKeyName(name) { values[name] = nil }
        return SecretStore(values: values)
    }

    public func value(named name: String) -> String? { values[name] }

    public var names: [String] { values.keys.sorted() }

    var namedValues: [(name: String, value: String)] {
        values.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
    }

    public var description: String { "SecretStore(names: \(names))" }
    public var customMirror: Mirror { Mirror(self, children: ["names": names]) }

    static func looksLikeSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        return secretNameSuffixes.contains { upper.hasSuffix($0) }
    }

    static func isMasterKeyName(_ name: String) -> Bool {
        name.uppercased().hasPrefix(KeyRingLoader.keyVariable)
    }

    static func parseFile(_ path: String) throws -> [String: String] {
        var bytes: [UInt8]
        do {
            bytes = try OwnerOnlyFile.contents(of: path, purpose: "secrets file")
        } catch {
            throw SecretStoreError.file(error)
        }
        defer { SodiumRuntime.wipe(&bytes) }
        let firstNonSpace = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if firstNonSpace == UInt8(ascii: "{") {
            return try parseJSON(bytes, path: path)
        }
        return try parseLines(bytes, path: path)
    }

    private static func parseJSON(_ bytes: [UInt8], path: String) throws -> [String: String] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw SecretStoreError.malformedJSON(path: path, reason: "it does not parse as JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw SecretStoreError.malformedJSON(path: path, reason: "the top level is not an object")
        }
        var values: [String: String] = [:]
        for (name, value) in dictionary {
            guard let text = value as? String else {
                throw SecretStoreError.malformedJSON(path: path, reason: "the value of \(name) is not a string")
            }
            values[name] = text
        }
        return values
    }

    private static func parseLines(_ bytes: [UInt8], path: String) throws -> [String: String] {
        var values: [String: String] = [:]
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            var line = String(decoding: rawLine, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else {
                throw SecretStoreError.malformedLine(path: path, line: index + 1, reason: "has no '='")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else {
                throw SecretStoreError.malformedLine(path: path, line: index + 1, reason: "has an invalid name before '='")
            }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard values[name] == nil else { throw SecretStoreError.duplicateName(path: path, name: name) }
            values[name] = value
        }
        return values
    }
}
