import PluginKit

/// A Replicate model reference as the catalog spells it: `owner/name:version` for a versioned
/// (community) model, created through `POST /predictions` with `version`; `owner/name` for an
/// official model, created through `POST /models/{owner}/{name}/predictions` without one.
struct ReplicateModelID: Sendable, Equatable {
    var owner: String
    var name: String
    /// The 64-hex version id; nil for an official model.
    var version: String?

    var slug: String { "\(owner)/\(name)" }

    init(owner: String, name: String, version: String?) {
        self.owner = owner
        self.name = name
        self.version = version
    }

    init(parsing text: String) throws(ProviderError) {
        let (path, version): (Substring, Substring?) = {
            guard let colon = text.firstIndex(of: ":") else { return (Substring(text), nil) }
            return (text[..<colon], text[text.index(after: colon)...])
        }()
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let okChars: (Character) -> Bool = { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(okChars) }) else {
            throw ProviderError(.invalidRequest, "replicate: \"\(text)\" is not a Replicate model; use owner/name for an "
                                + "official model or owner/name:version for a versioned one")
        }
        if let version, !(version.count == 64 && version.allSatisfy(\.isHexDigit)) {
            throw ProviderError(.invalidRequest, "replicate: the version in \"\(text)\" is not a 64-character hex id")
        }
        self.init(owner: String(parts[0]), name: String(parts[1]), version: version.map(String.init))
    }
}
