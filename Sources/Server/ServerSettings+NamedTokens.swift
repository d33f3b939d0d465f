import ImagegenJSON
import HTTPServer

extension ServerSettings {
    /// Environment variable names: upper-case letters, digits and `_`. Anything else is refused
    /// without being echoed, because a mistaken value there may well be the token itself.
    static func isVariableName(_ text: String) -> Bool {
        guard let first = text.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return text.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }

    /// Token names: what quotas (`quotas.api_tokens.<name>`) and audit entries (`token:<name>`) use.
    static func isTokenName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    /// `server.token_envs: { <name>: "<VARIABLE>" }`: one more accepted token per name, read from
    /// the environment like `token_env`. Each must be set, valid, and differ from every other
    /// token (a shared token could not say who called).
    static func namedTokens(_ value: JSONValue?, environment: [String: String],
                            hasDefault: Bool) throws(ServerSettingsError) -> [String: (token: BearerToken, raw: String)] {
        guard let value else { return [:] }
        guard case .object(let entries) = value else {
            throw .invalidValue(key: "token_envs", detail: "must be an object of token name to environment variable, e.g. { analytics: \"IMAGEGEN_TOKEN_ANALYTICS\" }")
        }
        var result: [String: (token: BearerToken, raw: String)] = [:]
        for name in entries.keys.sorted() {
            let key = "token_envs.\(name)"
            guard isTokenName(name) else {
                throw .invalidValue(key: key, detail: "a token name uses only letters, digits, '_' and '-' (at most 64)")
            }
            if name == BearerTokenAuth.defaultName && hasDefault {
                throw .invalidValue(key: key, detail: "the name '\(name)' is the token of server.token_env / \(ServerSettings.tokenVariable); choose another name")
            }
            guard let variable = entries[name]?.string, isVariableName(variable) else {
                throw .invalidValue(key: key, detail: "must name an environment variable (upper-case letters, digits, '_'); the token itself never goes in the config")
            }
            guard let raw = environment[variable], !raw.isEmpty else { throw .namedTokenVariableUnset(variable, name: name) }
            let token: BearerToken
            do {
                token = try BearerToken(raw)
            } catch {
                throw .invalidToken(source: variable, reason: error.description)
            }
            if let other = result.first(where: { $0.value.token == token })?.key {
                throw .sharedToken(names: [other, name])
            }
            result[name] = (token, raw)
        }
        return result
    }
}
