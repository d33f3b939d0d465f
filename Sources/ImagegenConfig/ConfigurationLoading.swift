import Foundation
import ImagegenJSON
import ImagegenJSON5
import Imaging
import ImagegenCore

/// Why a configuration could not be used. Each message names the file and the key.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case syntax(file: String, detail: String)
    /// A JSON5 syntax error at a line and column (found by the same locator the template loader uses).
    case syntaxAt(file: String, line: Int, column: Int, detail: String)
    case invalidValue(file: String, key: String, detail: String)
    case unknownKey(file: String, key: String, known: [String])
    case secretInConfig(file: String, key: String)
    /// A key, secrets file or policy setting that cannot be used (the message names it and the fix).
    case security(String)

    public var description: String {
        switch self {
        case .unreadable(let f, let r):
            return "config \(f): cannot read it (\(r)). Check the path given by --config or IMAGEGEN_CONFIG."
        case .syntax(let f, let d):
            return "config \(f): not valid JSON5: \(d)"
        case .syntaxAt(let f, let line, let column, let d):
            return "config \(f):\(line):\(column): not valid JSON5: \(d)"
        case .invalidValue(let f, let k, let d):
            return "config \(f): \(k): \(d)"
        case .unknownKey(let f, let k, let known):
            let hint = ConfigurationError.suggestion(for: k, known: known).map { " → did you mean \($0)?" } ?? ""
            return "config \(f): unknown key \"\(k)\"\(hint) Known keys: \(known.joined(separator: ", "))."
        case .secretInConfig(let f, let k):
            return "config \(f): \(k) looks like a secret. Keys never go in the config file: set them in the "
                + "environment (e.g. REPLICATE_API_TOKEN) or in a 0600 secrets file, and remove this key."
        case .security(let message):
            return message
        }
    }
}

extension Configuration {
    static let knownKeys = ["providers", "models", "aliases", "defaults", "budgets", "categories", "attestation", "catalog",
                            "jobs", "health", "templates", "imaging", "policy", "quotas", "plans", "alerts",
                            "storage", "metrics", "server", "encryption", "audit", "tags", "profiles", "backup", "secrets",
                            "output_check", "retention", "labelling"]

    /// Loads the file at `path`; `nil` means the embedded defaults.
    public static func load(path: String?) throws(ConfigurationError) -> Configuration {
        guard let path else { return Configuration() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(file: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        return try parse(data, file: path)
    }

    /// Parses JSON5 text (comments, trailing commas, unquoted keys).
    public static func parse(_ data: Data, file: String) throws(ConfigurationError) -> Configuration {
        // The locator first: Foundation's reader says only "not valid JSON", with no line or column.
        let text = String(decoding: data, as: UTF8.self)
        let outline: JSON5Outline
        do {
            outline = try JSON5OutlineParser.parse(text)
        } catch {
            let scalars = Array(text.unicodeScalars)
            let position = SourceLineIndex(scalars).position(of: error.offset)
            throw .syntaxAt(file: file, line: position.line, column: position.column, detail: error.message)
        }
        // A key written twice is a typo that would go unnoticed: one of the two is silently dropped.
        if let duplicate = outline.duplicateKeys.first {
            let lines = SourceLineIndex(Array(text.unicodeScalars))
            let at = lines.position(of: duplicate.offset), first = lines.position(of: duplicate.firstOffset)
            throw .syntaxAt(file: file, line: at.line, column: at.column,
                            detail: "the key \"\(duplicate.key)\" is given twice in the same object (first at line \(first.line)); "
                                + "only one would be used: merge the two")
        }
        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        let root: [String: JSONValue]
        do {
            guard let object = try decoder.decode(JSONValue.self, from: data).object else {
                throw ConfigurationError.syntax(file: file, detail: "the top level must be an object { ... }")
            }
            root = object
        } catch let e as ConfigurationError {
            throw e
        } catch {
            throw .syntax(file: file, detail: Configuration.describe(error))
        }
        for key in root.keys.sorted() where !knownKeys.contains(key) {
            throw .unknownKey(file: file, key: key, known: knownKeys)
        }
        for key in root.keys.sorted() {
            if let schema = ConfigurationSchema.sections[key], let value = root[key] {
                try schema.check(value, path: key, file: file)
            }
        }
        var config = Configuration()
        func section<T: Decodable>(_ key: String, _ type: T.Type) throws(ConfigurationError) -> T? {
            guard let value = root[key] else { return nil }
            do {
                return try decoder.decode(T.self, from: value.encoded())
            } catch {
                throw .invalidValue(file: file, key: key + Configuration.path(of: error), detail: Configuration.describe(error))
            }
        }
        if let providers = try section("providers", [String: JSONValue].self) {
            for (id, value) in providers {
                guard let object = value.object else {
                    throw .invalidValue(file: file, key: "providers.\(id)", detail: "must be an object")
                }
                for key in object.keys where Configuration.looksSecret(key) {
                    throw .secretInConfig(file: file, key: "providers.\(id).\(key)")
                }
            }
            config.providers = providers
        }
        config.models = try section("models", [String: ModelSettings].self) ?? [:]
        config.aliases = try section("aliases", [String: String].self) ?? [:]
        config.defaults = try section("defaults", GenerationDefaults.self) ?? GenerationDefaults()
        config.budgets = try section("budgets", BudgetSettings.self) ?? BudgetSettings()
        if let categories = try section("categories", [String: CategorySettings].self) {
            config.categories.merge(categories) { _, new in new }
        }
        config.attestation = try section("attestation", Attestation.self)
        config.jobs = try section("jobs", JobSettings.self) ?? JobSettings()
        config.health = try section("health", HealthSettings.self) ?? HealthSettings()
        config.outputCheck = try section("output_check", OutputCheckSettings.self) ?? OutputCheckSettings()
        config.retention = try section("retention", RetentionSettings.self) ?? RetentionSettings()
        if config.jobs.concurrency < 1 || config.jobs.concurrency > 1024 {
            throw .invalidValue(file: file, key: "jobs.concurrency", detail: "must be within 1...1024, got \(config.jobs.concurrency)")
        }
        if config.health.failureThreshold < 1 {
            throw .invalidValue(file: file, key: "health.failure_threshold", detail: "must be at least 1")
        }
        if TimeZone.configured(config.budgets.timeZone) == nil {
            throw .invalidValue(file: file, key: "budgets.time_zone",
                                detail: "unknown time zone \"\(config.budgets.timeZone)\"; use an IANA name such as Europe/Paris")
        }
        try config.checkRanges(file: file)
        if let imaging = root["imaging"] {
            config.imaging = try imagingSection(imaging, file: file)
        }
        for key in root.keys where !["providers", "models", "aliases", "defaults", "budgets", "categories",
                                     "attestation", "jobs", "health", "output_check", "retention"].contains(key) {
            config.sections[key] = root[key]
        }
        return config
    }

    /// The `imaging` section: known keys only (a misspelt key would silently keep a default),
    /// right types, and every value within range; each problem names its key.
    static func imagingSection(_ value: JSONValue, file: String) throws(ConfigurationError) -> ImagingConfiguration {
        guard let object = value.object else { throw .invalidValue(file: file, key: "imaging", detail: "must be an object") }
        for key in object.keys.sorted() where !ImagingConfiguration.knownKeys.contains(key) {
            throw .unknownKey(file: file, key: "imaging.\(key)", known: ImagingConfiguration.knownKeys)
        }
        let imaging: ImagingConfiguration
        do {
            imaging = try JSONDecoder().decode(ImagingConfiguration.self, from: value.encoded())
        } catch {
            throw .invalidValue(file: file, key: "imaging" + Configuration.path(of: error), detail: Configuration.describe(error))
        }
        let problems = imaging.problems()
        guard problems.isEmpty else {
            throw .invalidValue(file: file, key: "imaging", detail: problems.joined(separator: "; "))
        }
        return imaging
    }

    public static func looksSecret(_ key: String) -> Bool {
        let k = key.lowercased()
        return ["api_key", "apikey", "token", "secret", "password", "api_token", "key"].contains(k)
            || k.hasSuffix("_api_key") || k.hasSuffix("_token") || k.hasSuffix("_secret")
    }

    public static func path(of error: any Error) -> String {
        guard let e = error as? DecodingError else { return "" }
        let path: [any CodingKey]
        switch e {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        case .keyNotFound(let k, let c): path = c.codingPath + [k]
        @unknown default: path = []
        }
        return path.map { "." + $0.stringValue }.joined()
    }

    public static func describe(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        switch e {
        case .typeMismatch(let t, _): return "expected \(Configuration.typeName(t))"
        case .valueNotFound(let t, _): return "expected \(Configuration.typeName(t)), found null"
        case .keyNotFound(let k, _): return "missing required key \"\(k.stringValue)\""
        case .dataCorrupted(let c):
            let underlying = (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? c.debugDescription
        @unknown default: return "\(error)"
        }
    }

    static func typeName(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        default: return "\(t)".contains("Array") ? "a list" : "an object"
        }
    }
}
