import Foundation
import ImagegenJSON
import ImagegenConfig
import ImagegenCore
import Crypto

/// The security sections of the host's config, read once at start:
///
/// ```json5
/// encryption: { key_file: "/etc/imagegen/master.key", search: "index" },
/// secrets:    { file: "/etc/imagegen/secrets.env" },
/// audit:      { file: "audit.log" },
/// policy:     { protected_names: [...], rules: [...] },   // the attestation is the top-level `attestation`
/// quotas:     { providers: { replicate: { images_per_day: 500 } }, api_tokens: {...} },
/// ```
///
/// Relative paths are taken from the folder of the config file (or the data folder when the
/// embedded defaults are used). Keys and secrets themselves never appear here.
public struct SecuritySettings: Sendable {
    /// Explicit key file; nil means `IMAGEGEN_MASTER_KEY(_FILE)` or the data folder's key.
    public var keyFile: String?
    public var search: PromptSearchMode = .index
    public var secretsFile: String?
    public var auditFile: String
    public var policy: ContentPolicyConfiguration
    public var quotas: QuotaConfiguration

    static let encryptionKeys: Set<String> = ["key_file", "search"]
    static let secretsKeys: Set<String> = ["file"]
    static let auditKeys: Set<String> = ["file"]

    /// Reads and checks the sections. Errors name the file and the key, like every config error.
    public static func from(_ configuration: Configuration, paths: HostPaths) throws(ConfigurationError) -> SecuritySettings {
        let file = paths.config ?? "(embedded defaults)"
        let base = paths.config.map { ($0 as NSString).deletingLastPathComponent } ?? paths.data
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : base + "/" + path }
        func object(_ name: String, allowed: Set<String>) throws(ConfigurationError) -> [String: JSONValue] {
            guard let value = configuration.sections[name] else { return [:] }
            guard let object = value.object else {
                throw .invalidValue(file: file, key: name, detail: "must be an object")
            }
            for key in object.keys.sorted() where !allowed.contains(key) {
                if Configuration.looksSecret(key) || key == "master_key" {
                    throw .secretInConfig(file: file, key: "\(name).\(key)")
                }
                throw .unknownKey(file: file, key: "\(name).\(key)", known: allowed.sorted().map { "\(name).\($0)" })
            }
            return object
        }
        func string(_ object: [String: JSONValue], _ section: String, _ key: String) throws(ConfigurationError) -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value.string, !text.isEmpty else {
                throw .invalidValue(file: file, key: "\(section).\(key)", detail: "must be a non-empty string (a path)")
            }
            return text
        }

        let encryption = try object("encryption", allowed: encryptionKeys)
        let secrets = try object("secrets", allowed: secretsKeys)
        let audit = try object("audit", allowed: auditKeys)
        var settings = SecuritySettings(
            keyFile: try string(encryption, "encryption", "key_file").map(resolve),
            secretsFile: try string(secrets, "secrets", "file").map(resolve),
            auditFile: try string(audit, "audit", "file").map { $0.hasPrefix("/") ? $0 : paths.data + "/" + $0 }
                ?? paths.data + "/audit.log",
            policy: ContentPolicyConfiguration(), quotas: QuotaConfiguration())
        if let mode = try string(encryption, "encryption", "search") {
            guard let parsed = PromptSearchMode(rawValue: mode) else {
                throw .invalidValue(file: file, key: "encryption.search",
                                    detail: "must be \"index\" or \"decrypt\", got \"\(mode)\"")
            }
            settings.search = parsed
        }
        // First: the old nested attestation key gets its did-you-mean before the policy decoder sees it.
        let attestation = try configuration.ageVerificationAttestation(file: file)
        let decoder = JSONDecoder()
        if let policy = configuration.sections["policy"] {
            do {
                settings.policy = try decoder.decode(ContentPolicyConfiguration.self, from: policy.encoded())
            } catch {
                throw .invalidValue(file: file, key: "policy" + Configuration.path(of: error), detail: Configuration.describe(error))
            }
        }
        settings.policy.adultAttestation = attestation
        // The real-person heuristic's given names: the configured file, else the data folder's
        // copy when present, else the list compiled in. Read at start, so a new list needs no rebuild.
        let namesFile = settings.policy.givenNamesFile.map(resolve)
            ?? (FileManager.default.fileExists(atPath: paths.data + "/policy/given-names.txt")
                ? paths.data + "/policy/given-names.txt" : nil)
        if let namesFile {
            do {
                settings.policy.givenNames = try GivenNameList.load(path: namesFile)
            } catch {
                throw .invalidValue(file: file, key: "policy.given_names_file", detail: "\(namesFile): \(error)")
            }
        }
        let figuresFile = settings.policy.publicFiguresFile.map(resolve)
            ?? (FileManager.default.fileExists(atPath: paths.data + "/policy/public-figures.txt")
                ? paths.data + "/policy/public-figures.txt" : nil)
        if let figuresFile {
            do {
                settings.policy.publicFigures = try PublicFigureList.load(path: figuresFile)
            } catch {
                throw .invalidValue(file: file, key: "policy.public_figures_file", detail: "\(figuresFile): \(error)")
            }
        }
        if let quotas = configuration.sections["quotas"] {
            do {
                settings.quotas = try decoder.decode(QuotaConfiguration.self, from: quotas.encoded())
            } catch {
                throw .invalidValue(file: file, key: "quotas" + Configuration.path(of: error), detail: Configuration.describe(error))
            }
        }
        return settings
    }
}
