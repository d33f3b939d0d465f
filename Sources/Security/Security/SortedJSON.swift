import Foundation

/// JSON with sorted keys: the same value always gives the same text, so remembered values (the
/// budgets last seen, policy fingerprints) compare equal across runs.
package enum SortedJSON {
    package static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)  // try?: parsed config and strings always encode
    }
}
