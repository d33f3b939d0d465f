import Foundation
import ImagegenConfig
import ImagegenJSON

/// `labelling.c2pa`: sign every published derivative with a C2PA manifest (Content Credentials).
///
/// ```json5
/// labelling: { c2pa: { enabled: true, certificate: "/etc/imagegen/c2pa-chain.pem",
///                      private_key: "/etc/imagegen/c2pa-key.pem",   // or a secret's name: "C2PA_SIGNING_KEY"
///                      algorithm: "es256",                          // "ps256", "ed25519"
///                      library: "/opt/c2pa/libc2pa_c.so" } }        // default: where install-deps links it
/// ```
/// Paths are relative to the config file's folder. A `private_key` with no `/` and no `.pem` or
/// `.key` ending is the name of a secret (environment or the 0600 secrets file), so the key can
/// stay out of the file system the config lives on.
public struct C2PASettings: Sendable, Equatable {
    public enum KeySource: Sendable, Equatable {
        case file(String)
        case secret(String)
    }

    /// Where `scripts/install-deps.sh` links `c2pa/libs/libc2pa_c.so` from the c2pa-python wheel.
    public static let installedLibrary = "/usr/local/lib/imagegen/libc2pa_c.so"
    static let keys = ["enabled", "certificate", "private_key", "algorithm", "library"]

    /// The PEM certificate chain, signing certificate first.
    public var certificate: String
    public var privateKey: KeySource
    public var algorithm: C2PASigningAlgorithm
    /// An explicit library path (nil: `installedLibrary`).
    public var library: String?

    public init(certificate: String, privateKey: KeySource, algorithm: C2PASigningAlgorithm = .es256, library: String? = nil) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.algorithm = algorithm
        self.library = library
    }

    /// The section when signing is enabled; nil when there is none or `enabled` is false. Unknown
    /// keys and wrong types are refused either way.
    public static func load(from configuration: Configuration, file: String?) throws(ConfigurationError) -> C2PASettings? {
        let file = file ?? "(embedded defaults)"
        guard let labelling = configuration.sections["labelling"], !labelling.isNull else { return nil }
        guard let outer = labelling.object else {
            throw .invalidValue(file: file, key: "labelling", detail: "must be an object { c2pa: { ... } }")
        }
        for key in outer.keys.sorted() where key != "c2pa" {
            throw .unknownKey(file: file, key: "labelling.\(key)", known: ["labelling.c2pa"])
        }
        guard let section = outer["c2pa"], !section.isNull else { return nil }
        guard let object = section.object else {
            throw .invalidValue(file: file, key: "labelling.c2pa", detail: "must be an object { enabled: true, certificate: ..., private_key: ... }")
        }
        for key in object.keys.sorted() where !keys.contains(key) {
            throw .unknownKey(file: file, key: "labelling.c2pa.\(key)", known: keys.map { "labelling.c2pa.\($0)" })
        }
        func string(_ key: String) throws(ConfigurationError) -> String? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let text = value.string, !text.isEmpty else {
                throw .invalidValue(file: file, key: "labelling.c2pa.\(key)", detail: "expected a non-empty string")
            }
            return text
        }
        var enabled = false
        if let value = object["enabled"], !value.isNull {
            guard let flag = value.bool else { throw .invalidValue(file: file, key: "labelling.c2pa.enabled", detail: "expected true or false") }
            enabled = flag
        }
        let algorithmName = try string("algorithm")
        var algorithm = C2PASigningAlgorithm.es256
        if let algorithmName {
            guard let parsed = C2PASigningAlgorithm(rawValue: algorithmName.lowercased()) else {
                throw .invalidValue(file: file, key: "labelling.c2pa.algorithm", detail:
                    "expected one of \(C2PASigningAlgorithm.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \"\(algorithmName)\"")
            }
            algorithm = parsed
        }
        let certificate = try string("certificate")
        let key = try string("private_key")
        let library = try string("library")
        guard enabled else { return nil }
        guard let certificate else {
            throw .invalidValue(file: file, key: "labelling.c2pa.certificate",
                                detail: "missing: C2PA signing needs the PEM certificate chain (signing certificate first)")
        }
        guard let key else {
            throw .invalidValue(file: file, key: "labelling.c2pa.private_key",
                                detail: "missing: give the PEM private key's path, or the name of a secret that holds it")
        }
        let folder = file.hasPrefix("(") ? FileManager.default.currentDirectoryPath : (file as NSString).deletingLastPathComponent
        func resolved(_ path: String) -> String {
            path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path)
        }
        let isPath = key.contains("/") || key.hasSuffix(".pem") || key.hasSuffix(".key")
        return C2PASettings(certificate: resolved(certificate), privateKey: isPath ? .file(resolved(key)) : .secret(key),
                            algorithm: algorithm, library: library.map(resolved))
    }
}
