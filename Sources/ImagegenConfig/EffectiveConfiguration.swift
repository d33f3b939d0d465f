import Foundation
import ImagegenJSON

extension Configuration {
    /// The configuration as the host uses it (defaults filled in), for `imagegen config check`.
    /// Values under secret-looking keys are masked: the file may not hold secrets, but a printout
    /// is pasted into tickets, so nothing that looks like one is ever shown.
    package func effective() -> JSONValue {
        func value<T: Encodable>(_ v: T) -> JSONValue {
            do {
                return try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(v))
            } catch {
                return .string("(cannot show: \(error))")
            }
        }
        var root: [String: JSONValue] = sections
        root["providers"] = .object(providers)
        root["models"] = value(models)
        root["aliases"] = value(aliases)
        root["defaults"] = value(defaults)
        root["budgets"] = value(budgets)
        root["categories"] = value(categories)
        if let attestation { root["attestation"] = value(attestation) }
        root["jobs"] = value(jobs)
        root["health"] = value(health)
        root["imaging"] = value(imaging)
        return Configuration.masked(.object(root))
    }

    package static func masked(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var out: [String: JSONValue] = [:]
            for (key, member) in members {
                let k = key.lowercased()
                let secret = looksSecret(key) || k.contains("secret") || k.contains("password") || k.contains("token")
                    || k.contains("api_key") || k.contains("apikey")
                out[key] = secret && member != .null ? .string("***") : masked(member)
            }
            return .object(out)
        case .array(let items):
            return .array(items.map(masked))
        default:
            return value
        }
    }
}
