/// Reduces an English plural to its singular with simple suffix rules plus data-driven exceptions.
///
/// Enough for tag words (garments, materials, settings), not a general lemmatiser: "dresses" → "dress",
/// "bodies" → "body", "heels" → "heel", "feet" → "foot" (irregular), "lens" → "lens" (invariant). Short
/// words (≤ 3 letters) and words ending in -ss, -us, -is are left alone.
package struct EnglishSingulariser: Sendable {
    private let irregular: [String: String]
    private let invariant: Set<String>

    package init(irregular: [String: String], invariant: [String]) {
        self.irregular = Dictionary(irregular.map { ($0.key.lowercased(), $0.value.lowercased()) }) { _, last in last }
        self.invariant = Set(invariant.map { $0.lowercased() })
    }

    /// The singular of a lowercase word.
    package func singular(_ word: String) -> String {
        if invariant.contains(word) { return word }
        if let mapped = irregular[word] { return mapped }
        guard word.count > 3, word.hasSuffix("s") else { return word }
        if word.hasSuffix("ss") || word.hasSuffix("us") || word.hasSuffix("is") { return word }
        if word.hasSuffix("ies"), word.count > 4 { return String(word.dropLast(3)) + "y" }
        for suffix in ["sses", "zzes", "xes", "ches", "shes"] where word.hasSuffix(suffix) {
            return String(word.dropLast(2))
        }
        return String(word.dropLast())
    }
}
