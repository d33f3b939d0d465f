/// Why `imagegen serve` (or a client of it) cannot use the `server` settings. Each message
/// names the key and says what to do; none ever contains a token.
package enum ServerSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAnObject
    case unknownKey(String, known: [String])
    case invalidValue(key: String, detail: String)
    case tokenInConfig(key: String)
    case tokenVariableUnset(String)
    case namedTokenVariableUnset(String, name: String)
    case sharedToken(names: [String])
    case invalidToken(source: String, reason: String)
    case invalidListen(String, reason: String)

    package var description: String {
        switch self {
        case .notAnObject:
            return "config: server must be an object, e.g. server: { listen: \"127.0.0.1:8080\" }"
        case .unknownKey(let key, let known):
            return "config: unknown key server.\(key). Known keys: \(known.joined(separator: ", "))."
        case .invalidValue(let key, let detail):
            return "config: server.\(key): \(detail)"
        case .tokenInConfig(let key):
            return "config: server.\(key) looks like a token. Tokens never go in the config file: set IMAGEGEN_API_TOKEN "
                + "in the environment, or name another variable with server.token_env, and remove this key."
        case .tokenVariableUnset(let name):
            return "config: server.token_env names the environment variable \(name), but it is not set; export it or remove server.token_env"
        case .namedTokenVariableUnset(let variable, let name):
            return "config: server.token_envs.\(name) names the environment variable \(variable), but it is not set; export it or remove the entry"
        case .sharedToken(let names):
            return "the API tokens named \(names.map { "'\($0)'" }.joined(separator: " and ")) are the same; give each name its own token so calls can be told apart"
        case .invalidToken(let source, let reason):
            return "the API token from \(source) cannot be used: \(reason)"
        case .invalidListen(let text, let reason):
            return "listen address \"\(text)\": \(reason). Use e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080"
        }
    }
}
