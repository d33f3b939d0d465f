import Foundation

/// One `name=value` pair of a query string, percent-decoded.
package struct HTTPQueryItem: Sendable, Hashable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Splits an origin-form request-target into its path and decoded query items.
///
/// The path stays raw (percent-encoded) so routing compares exactly what was sent; the router
/// decodes only the parameter segments it hands to handlers. Query values follow the
/// `application/x-www-form-urlencoded` convention clients use for URLs: `+` is a space, so a
/// literal plus must be sent as `%2B`.
enum HTTPRequestTarget {
    static func split(_ target: String) -> (path: String, query: [HTTPQueryItem]) {
        guard let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (target, []) }
        let path = String(target[..<mark])
        let query = target[target.index(after: mark)...]
        return (path, parseQuery(query))
    }

    static func parseQuery(_ query: Substring) -> [HTTPQueryItem] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return HTTPQueryItem(name: decodeComponent(pair[..<equals]),
                                     value: decodeComponent(pair[pair.index(after: equals)...]))
            }
            return HTTPQueryItem(name: decodeComponent(pair), value: "")
        }
    }

    /// Form-style decoding of a query component; malformed percent-escapes are kept verbatim.
    static func decodeComponent(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Percent-decoding of one path segment (`+` stays a plus); nil when the escapes are malformed.
    static func decodePathSegment(_ segment: Substring) -> String? {
        segment.contains("%") ? String(segment).removingPercentEncoding : String(segment)
    }
}
