import Foundation

/// Where plugins' secrets come from: the environment, or a 0600 secrets file. Never the config.
public protocol SecretSource: Sendable {
    func secret(named name: String) -> String?
    /// Every secret value known, for redaction.
    var knownValues: [String] { get }
}

/// Secrets from the process environment, restricted to the names plugins declare.
public struct EnvironmentSecrets: SecretSource {
    let environment: [String: String]
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }
    public func secret(named name: String) -> String? {
        guard let v = environment[name], !v.isEmpty else { return nil }
        return v
    }
    public var knownValues: [String] {
        environment.filter { k, v in v.count >= 6 && EnvironmentSecrets.isSecretName(k) }.map(\.value)
    }
    /// Names that hold secrets by convention.
    public static func isSecretName(_ name: String) -> Bool {
        let n = name.uppercased()
        return n.hasSuffix("_TOKEN") || n.hasSuffix("_KEY") || n.hasSuffix("_SECRET") || n.hasSuffix("_PASSWORD")
            || n.hasSuffix("_ACCESS_KEY_ID")
    }
}
