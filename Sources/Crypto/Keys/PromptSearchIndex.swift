import Foundation

/// Keyed hashes of a prompt's words, so the catalog can answer "prompts containing these exact
/// words" without decrypting every row.
///
/// Each token is `<key id>:<hex of 16 bytes of BLAKE2b(word)>` keyed with the search subkey.
/// Without the key nobody can compute the token of a guessed word; with the catalog alone an
/// observer sees which rows share words and how often a word occurs (frequency analysis is
/// the known weakness; docs/security.md weighs it against decrypt-on-read). The key id prefix
/// tells rotation which rows' tokens are stale.
package struct PromptSearchIndex: Sendable {
    let key: MasterKey

    /// The distinct normalised words of the prompt, hashed, in a stable order.
    func tokens(for prompt: String) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for word in Self.words(in: prompt) where seen.insert(word).inserted {
            out.append(token(forWord: word))
        }
        return out
    }

    func token(forWord word: String) -> String {
        let message = Array(("w1:" + word).utf8)
        let digest = GenericHash.hash(message, length: 16, key: key.searchKey)
        return "\(key.id.rawValue):\(SodiumEncoding.hex(digest))"
    }

    /// Words as search sees them: case and accents folded, split on anything that is not a
    /// letter or digit, single characters dropped (they would only add noise to the index).
    package static func words(in text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var words: [String] = []
        var current = ""
        for scalar in folded.unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                if current.count > 1 { words.append(current) }
                current = ""
            }
        }
        if current.count > 1 { words.append(current) }
        return words
    }
}
