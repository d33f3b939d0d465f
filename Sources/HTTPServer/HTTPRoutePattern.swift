/// A route path such as `/v1/jobs/{id}`: literal segments match exactly (still percent-encoded),
/// `{name}` segments match any one non-empty segment and capture it, percent-decoded.
package struct HTTPRoutePattern: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Hashable {
        case literal(Substring)
        case parameter(String)
    }

    let segments: [Segment]
    package let description: String

    /// Patterns are written by programmers, so a malformed one is a programming error and traps
    /// at start-up rather than failing at request time.
    package init(_ pattern: String) {
        precondition(pattern.hasPrefix("/"), "route pattern '\(pattern)' must start with '/'")
        var names = Set<String>()
        segments = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                let name = String(part.dropFirst().dropLast())
                precondition(names.insert(name).inserted, "route pattern '\(pattern)' repeats parameter '\(name)'")
                return .parameter(name)
            }
            precondition(!part.contains("{") && !part.contains("}"), "route pattern '\(pattern)' has a malformed parameter")
            return .literal(part)
        }
        description = pattern
    }

    enum Match: Equatable {
        case noMatch
        case matched([String: String])
        /// The shape matched but a parameter had malformed percent-escapes.
        case undecodable
    }

    func match(_ pathSegments: [Substring]) -> Match {
        guard pathSegments.count == segments.count else { return .noMatch }
        var parameters: [String: String] = [:]
        var undecodable = false
        for (segment, actual) in zip(segments, pathSegments) {
            switch segment {
            case .literal(let literal):
                if literal != actual { return .noMatch }
            case .parameter(let name):
                if actual.isEmpty { return .noMatch }
                if let decoded = HTTPRequestTarget.decodePathSegment(actual) {
                    parameters[name] = decoded
                } else {
                    undecodable = true
                }
            }
        }
        return undecodable ? .undecodable : .matched(parameters)
    }

    static func segments(ofPath path: String) -> [Substring] {
        Array(path.split(separator: "/", omittingEmptySubsequences: false).dropFirst())
    }
}
