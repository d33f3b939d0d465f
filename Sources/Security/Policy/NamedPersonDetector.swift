import Foundation

/// Finds "photo of / in the style of / portrait of <Name Surname>" and the French equivalents:
/// a trigger phrase followed by two or three capitalised words (particles such as "de", "van",
/// "von" allowed in between). Reads the case-preserving text, since capitals are the signal.
///
/// It is a heuristic, tuned against false positives: known places and art terms ("New York",
/// "Art Nouveau") and descriptive words ("Beautiful Woman") are not names, and a prompt written
/// in Title Case throughout is skipped (every phrase would look like a name). The configured
/// list of protected names is the reliable layer; this catches names nobody listed.
enum NamedPersonDetector {
    static let triggers: [[String]] = [
        "in the style of", "in the manner of", "style of", "photo of", "photos of", "photograph of",
        "picture of", "pictures of", "portrait of", "image of", "likeness of", "lookalike of", "look alike of",
        "looks like", "looking like", "resembling", "deepfake of", "nude of", "naked of",
        "dans le style de", "a la maniere de", "style de", "photo de", "photos de", "portrait de", "image de",
        "ressemblant a", "sosie de",
    ].map { $0.split(separator: " ").map(String.init) }

    /// Triggers by their first word, longest first, so most words cost one dictionary lookup.
    static let triggersByFirstWord: [String: [[String]]] = Dictionary(grouping: triggers, by: { $0[0] })
        .mapValues { $0.sorted { $0.count > $1.count } }

    static let particles: Set<String> = ["de", "da", "di", "del", "della", "van", "von", "der", "den", "le", "la",
                                         "du", "des", "bin", "al", "el", "mc", "st"]

    /// Capitalised words that start a noun phrase rather than a name.
    static let determiners: Set<String> = ["the", "a", "an", "my", "our", "his", "her", "their", "this", "that",
                                           "these", "those", "some", "le", "la", "les", "un", "une", "des", "du",
                                           "mon", "ma", "mes", "son", "sa", "ses", "ce", "cette"]

    /// Words that describe rather than name: a capitalised phrase containing one is not a person.
    static let descriptiveWords: Set<String> = [
        "woman", "women", "man", "men", "girl", "girls", "boy", "boys", "lady", "ladies", "model", "models",
        "person", "people", "beautiful", "pretty", "young", "old", "sexy", "nude", "naked", "cute", "red",
        "blue", "black", "white", "golden", "dark", "light", "style", "art", "photo", "portrait", "painting",
        "oil", "digital", "fantasy", "anime", "city", "beach", "forest", "mountain", "mountains", "sunset",
        "night", "day", "lake", "river", "sea", "ocean", "street", "park", "garden", "house", "castle", "tower",
        "church", "museum", "studio", "cinematic", "vintage", "modern", "classic", "renaissance", "baroque",
        "femme", "homme", "fille", "garcon", "belle", "jeune", "ville", "plage", "foret", "montagne",
    ]

    static let nonPersonPhrases: [String] = [
        "new york", "los angeles", "san francisco", "las vegas", "hong kong", "new zealand", "new orleans",
        "costa rica", "sri lanka", "saint tropez", "st tropez", "monte carlo", "rio de janeiro", "buenos aires",
        "san diego", "santa monica", "palm springs", "art nouveau", "art deco", "studio ghibli", "eiffel tower",
        "tour eiffel", "notre dame", "mont blanc", "golden gate", "times square", "central park",
        "grand canyon", "mount fuji", "great wall", "big ben", "cote d azur", "sistine chapel", "mona lisa",
        "venus de milo", "old masters", "pre raphaelite", "hudson river", "new mexico", "north pole",
        "south africa", "united states", "united kingdom", "saudi arabia", "puerto rico", "el salvador",
    ]

    struct Word {
        let text: String
        /// Punctuation (not just spaces) separates this word from the previous one.
        let breakBefore: Bool
    }

    /// Names found after a trigger, as written.
    static func names(in cleanedText: String, extraNonPersonPhrases: Set<String> = []) -> [String] {
        let words = split(cleanedText)
        let folded = words.map { word in
            word.text.utf8.allSatisfy { $0 < 0x80 } ? word.text.lowercased()
                : word.text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        }
        let nonPerson = Set(nonPersonPhrases).union(extraNonPersonPhrases)
        var found: [String] = []
        var index = 0
        while index < words.count {
            guard let candidates = triggersByFirstWord[folded[index]],
                  let trigger = candidates.first(where: { matches($0, folded, at: index) }) else {
                index += 1
                continue
            }
            let start = index + trigger.count
            if let (name, end) = name(from: start, words: words, folded: folded) {
                let key = folded[start..<end].joined(separator: " ")
                let isDescriptive = folded[start..<end].contains { descriptiveWords.contains($0) }
                if !nonPerson.contains(key), !isDescriptive, !isTitleCase(words, excluding: start..<end) {
                    found.append(name)
                }
                index = end
            } else {
                index = start
            }
        }
        return found
    }

    private static func matches(_ trigger: [String], _ folded: [String], at index: Int) -> Bool {
        guard index + trigger.count <= folded.count else { return false }
        for (offset, word) in trigger.enumerated() where folded[index + offset] != word { return false }
        return true
    }

    private static func isCapitalised(_ word: String) -> Bool {
        guard let first = word.first, first.isUppercase, word.count >= 2 else { return false }
        return word.dropFirst().allSatisfy { $0.isLetter || $0 == "'" || $0 == "’" || $0 == "-" || $0 == "." }
    }

    private static func name(from start: Int, words: [Word], folded: [String]) -> (String, Int)? {
        var position = start
        var capitalised = 0
        var parts: [String] = []
        while position < words.count, parts.count < 5 {
            let word = words[position]
            if position > start, word.breakBefore { break }
            if isCapitalised(word.text) {
                if position == start, determiners.contains(folded[position]) { return nil }
                capitalised += 1
                parts.append(word.text)
                position += 1
                if capitalised == 3 { break }
            } else if capitalised >= 1, particles.contains(folded[position]) {
                // "van der", "de la": particles count only if a capitalised word follows them.
                var next = position
                while next < words.count, particles.contains(folded[next]), !words[next].breakBefore || next == position {
                    next += 1
                }
                guard next < words.count, !words[next].breakBefore, isCapitalised(words[next].text) else { break }
                parts.append(contentsOf: words[position..<next].map(\.text))
                position = next
            } else {
                break
            }
        }
        guard capitalised >= 2 else { return nil }
        return (parts.joined(separator: " "), position)
    }

    /// Words split on spaces and punctuation; apostrophes and hyphens inside a word are kept.
    static func split(_ text: String) -> [Word] {
        var words: [Word] = []
        var current = ""
        var sawPunctuation = false
        let characters = Array(text)
        for (index, c) in characters.enumerated() {
            let inWordJoiner = (c == "'" || c == "’" || c == "-") && !current.isEmpty
                && index + 1 < characters.count && characters[index + 1].isLetter
            if c.isLetter || c.isNumber || inWordJoiner {
                current.append(c)
                continue
            }
            if !current.isEmpty {
                words.append(Word(text: current, breakBefore: sawPunctuation))
                current = ""
                sawPunctuation = false
            }
            if !c.isWhitespace { sawPunctuation = true }
        }
        if !current.isEmpty { words.append(Word(text: current, breakBefore: sawPunctuation)) }
        return words
    }

    /// Most of the other words capitalised too: a Title Case prompt, where capitals say nothing
    /// about names.
    static func isTitleCase(_ words: [Word], excluding name: Range<Int>) -> Bool {
        let others = words.indices.filter { !name.contains($0) }.map { words[$0] }
            .filter { $0.text.count >= 3 && $0.text.first!.isLetter }
        guard others.count >= 3 else { return false }
        let capitalised = others.filter { $0.text.first!.isUppercase }.count
        return Double(capitalised) / Double(others.count) >= 0.6
    }
}
