import Foundation
import ImagegenJSON
import HTTPServer
import ImagegenConfig

/// How `imagegen serve` listens and guards its API: the config's `server` section, the
/// `--listen` flag and the environment, resolved once.
///
/// ```json5
/// server: {
///   listen: "127.0.0.1:8080",      // --listen wins; loopback by default
///   token_env: "IMAGEGEN_API_TOKEN", // the variable that holds the bearer token (named "api")
///   token_envs: { analytics: "IMAGEGEN_TOKEN_ANALYTICS" }, // more tokens, each by name
///   shutdown_grace_seconds: 10,      // SIGTERM: in-flight jobs get this long, the rest park
///   watch_interval_ms: 250,          // plugin folder poll
///   settle_ms: 500,                  // a plugin file must be this old (and unchanged) to load
/// }
/// ```
///
/// The token itself never sits in the config: a `token`-like key is refused, like provider
/// keys are. Any non-loopback address requires a token. A request is attributed to the *name*
/// of the token it presented (`token:<name>` in the audit log, `quotas.api_tokens.<name>`); the
/// lone token of `token_env`/`IMAGEGEN_API_TOKEN` is named `api`.
package struct ServerSettings: Sendable {
    package static let defaultListen = "127.0.0.1:8080"
    package static let tokenVariable = "IMAGEGEN_API_TOKEN"
    static let knownKeys = ["listen", "token_env", "shutdown_grace_seconds", "watch_interval_ms", "settle_ms",
                            "max_connections", "max_connections_per_address", "token_envs", "webhooks"]

    package var listen: HTTPListenAddress
    /// The token named `api` (`token_env`/`IMAGEGEN_API_TOKEN`); nil when not set.
    package var token: BearerToken?
    /// The tokens of `token_envs`, by name.
    package var namedTokens: [String: BearerToken]
    /// Every accepted token by name; empty on loopback without a configured token.
    package var tokens: [String: BearerToken] {
        var all = namedTokens
        if let token { all[BearerTokenAuth.defaultName] = token }
        return all
    }
    /// A raw token, kept only so local clients (`imagegen health`) can present it: the `api`
    /// token, else the first named one.
    let clientToken: String?
    package var shutdownGraceSeconds: Double
    package var watchIntervalMilliseconds: Int
    package var settleMilliseconds: Int
    package var maxConnections: Int
    /// Connections one client address may hold (`max_connections_per_address`, default 128).
    package var maxConnectionsPerAddress: Int
    /// Receivers of job and image events (`webhooks`), signed with their secrets.
    package var webhooks: [WebhookTarget]

    /// Resolves the settings. `listen` (the flag) overrides `server.listen`.
    package init(configuration: Configuration, listen flag: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(ServerSettingsError) {
        let section: [String: JSONValue]
        switch configuration.sections["server"] {
        case nil: section = [:]
        case .object(let o)?: section = o
        default: throw .notAnObject
        }
        for key in section.keys.sorted() {
            if Configuration.looksSecret(key) { throw .tokenInConfig(key: key) }
            guard ServerSettings.knownKeys.contains(key) else { throw .unknownKey(key, known: ServerSettings.knownKeys) }
        }
        func string(_ key: String) throws(ServerSettingsError) -> String? {
            guard let v = section[key] else { return nil }
            guard let s = v.string else { throw .invalidValue(key: key, detail: "must be a string") }
            return s
        }
        func number(_ key: String, _ range: ClosedRange<Double>) throws(ServerSettingsError) -> Double? {
            guard let v = section[key] else { return nil }
            guard let n = v.number, range.contains(n) else {
                throw .invalidValue(key: key, detail: "must be a number within \(range.lowerBound)...\(range.upperBound)")
            }
            return n
        }

        let configuredListen = try string("listen")
        let listenText = flag ?? configuredListen ?? ServerSettings.defaultListen
        do {
            listen = try HTTPListenAddress(parsing: listenText)
        } catch {
            throw .invalidListen(listenText, reason: error.description)
        }

        // The token: the named variable when the config names one, else IMAGEGEN_API_TOKEN.
        var raw: String?
        var source = ServerSettings.tokenVariable
        if let name = try string("token_env") {
            guard let value = environment[name], !value.isEmpty else { throw .tokenVariableUnset(name) }
            raw = value
            source = name
        } else if let value = environment[ServerSettings.tokenVariable], !value.isEmpty {
            raw = value
        }
        if let raw {
            do {
                token = try BearerToken(raw)
            } catch {
                throw .invalidToken(source: source, reason: error.description)
            }
        } else {
            token = nil
        }
        let named = try ServerSettings.namedTokens(section["token_envs"], environment: environment, hasDefault: token != nil)
        if let token, named.values.contains(where: { $0.token == token }) {
            throw .sharedToken(names: [BearerTokenAuth.defaultName] + named.filter { $0.value.token == token }.keys.sorted())
        }
        namedTokens = named.mapValues(\.token)
        clientToken = raw ?? named.keys.sorted().first.flatMap { named[$0]?.raw }
        shutdownGraceSeconds = try number("shutdown_grace_seconds", 0...3600) ?? 10
        watchIntervalMilliseconds = Int(try number("watch_interval_ms", 20...60_000) ?? 250)
        settleMilliseconds = Int(try number("settle_ms", 0...60_000) ?? 500)
        maxConnections = Int(try number("max_connections", 1...100_000) ?? 512)
        maxConnectionsPerAddress = Int(try number("max_connections_per_address", 1...100_000) ?? 128)
        webhooks = try WebhookTarget.parse(section["webhooks"], environment: environment)
    }

    /// Where a client on this machine reaches the server: the listen address, with a wildcard
    /// replaced by loopback.
    package var localURL: URL {
        let host: String
        switch listen.family {
        case .ipv4: host = listen.host == "0.0.0.0" ? "127.0.0.1" : listen.host
        case .ipv6: host = listen.host == "::" ? "[::1]" : "[\(listen.host)]"
        }
        return URL(string: "http://\(host):\(listen.port)")!
    }
}
