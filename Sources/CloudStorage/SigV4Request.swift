/// One HTTP header as given to the signer. Names keep their original case; the signer lower-cases
/// them for the canonical request. Repeated names are allowed (SigV4 merges them with `,`).
public struct HTTPHeaderField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One query parameter, *not* percent-encoded: the signer encodes names and values itself, so the
/// signed and the sent forms come from the same string. A value-less parameter (`?uploads`) has
/// the empty value and is rendered `uploads=`.
public struct QueryParameter: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String = "") {
        self.name = name
        self.value = value
    }
}

/// The parts of an HTTP request that SigV4 covers.
///
/// `path` is the raw, unencoded absolute path (an S3 object key keeps its `/`, a space is a space);
/// the signer's canonical URI is both what is signed and what goes on the wire, so a key is
/// encoded exactly once. `headers` must include `host` exactly as sent (with `:port` when not the
/// scheme's default) and only headers the HTTP stack will not rewrite.
public struct SigV4Request: Sendable {
    public var method: String
    public var path: String
    public var query: [QueryParameter]
    public var headers: [HTTPHeaderField]

    public init(method: String, path: String, query: [QueryParameter] = [], headers: [HTTPHeaderField] = []) {
        self.method = method
        self.path = path.isEmpty ? "/" : path
        self.query = query
        self.headers = headers
    }

    /// The value of the first header with this (case-insensitive) name.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// Replaces every header with this (case-insensitive) name by one header with `value`.
    public mutating func setHeader(_ name: String, _ value: String) {
        let lower = name.lowercased()
        headers.removeAll { $0.name.lowercased() == lower }
        headers.append(HTTPHeaderField(name, value))
    }
}
