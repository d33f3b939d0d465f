/// "Did you mean …?" for a misspelt key: one rule for the config file and the template files.
package enum KeySuggestion {
    /// The known key closest to `key`: same letters ignoring case and '_' (camelCase spellings), or an edit
    /// distance of at most 2.
    package static func suggestion(for key: String, among known: [String]) -> String? {
        let simplified = key.lowercased().filter { $0 != "_" && $0 != "-" }
        if let match = known.first(where: { $0.lowercased().filter { $0 != "_" && $0 != "-" } == simplified }) { return match }
        let scored = known.map { ($0, editDistance(Array(key.lowercased()), Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    package static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[b.count]
    }
}
