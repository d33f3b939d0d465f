import Foundation

/// JSON with sorted keys: the same value always gives the same text, so remembered values (the
/// budgets last seen, policy fingerprints) compare equal across runs.
package enum SortedJSON {
    package static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // try?: callers encode parsed configuration and strings, which JSONEncoder cannot fail on (no non-finite numbers reach it)
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}
