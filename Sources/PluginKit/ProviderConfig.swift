/// Typed reads of a provider's config section (`providers.<id>` in the host's config), with
/// errors that name the key, so an operator's typo is reported at `create` instead of turning
/// into a strange request later.
public struct ProviderConfig: Sendable {
    public let values: [String: JSONValue]
    /// The plugin id, for messages: "providers.replicate.prefer_wait ...".
    public let pluginID: String

    public init(_ config: JSONValue, pluginID: String) {
        self.values = config.object ?? [:]
        self.pluginID = pluginID
    }

    func key(_ name: String) -> String { "providers.\(pluginID).\(name)" }

    func invalid(_ name: String, _ expectation: String, _ value: JSONValue) -> ProviderError {
        let shown = String(decoding: value.encoded(), as: UTF8.self)
        return ProviderError(.invalidRequest, "\(key(name)) must be \(expectation), got \(shown.prefix(80))")
    }

    public func string(_ name: String, default fallback: String? = nil) throws(ProviderError) -> String? {
        guard let v = values[name], !v.isNull else { return fallback }
        guard let s = v.string else { throw invalid(name, "a string", v) }
        return s
    }

    public func int(_ name: String, default fallback: Int?, range: ClosedRange<Int>) throws(ProviderError) -> Int? {
        guard let v = values[name], !v.isNull else { return fallback }
        guard let i = v.int, range.contains(i) else {
            throw invalid(name, "an integer within \(range.lowerBound)...\(range.upperBound)", v)
        }
        return i
    }

    public func bool(_ name: String, default fallback: Bool) throws(ProviderError) -> Bool {
        guard let v = values[name], !v.isNull else { return fallback }
        guard let b = v.bool else { throw invalid(name, "true or false", v) }
        return b
    }

    /// A string from a fixed set.
    public func choice(_ name: String, _ allowed: [String], default fallback: String) throws(ProviderError) -> String {
        guard let v = values[name], !v.isNull else { return fallback }
        guard let s = v.string, allowed.contains(s) else {
            throw invalid(name, "one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))", v)
        }
        return s
    }

    /// An absolute http(s) URL without a trailing slash.
    public func baseURL(_ name: String = "base_url", default fallback: String?) throws(ProviderError) -> String? {
        guard var s = try string(name, default: fallback) else { return nil }
        guard s.hasPrefix("http://") || s.hasPrefix("https://") else {
            throw invalid(name, "an absolute http(s) URL", .string(s))
        }
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }
}
