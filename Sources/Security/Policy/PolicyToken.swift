/// One word of a folded prompt and the spellings it may stand for.
struct PolicyToken: Sendable, Equatable {
    /// As folded (digits intact, so ages stay numbers).
    let text: String
    /// `text` plus leetspeak readings ("t33n" → "teen") and letter runs collapsed
    /// ("teeeen" → "teen", "nuuude" → "nude").
    let forms: [String]
    /// The value when the token is all digits.
    let number: Int?

    static let leet: [Character: [Character]] = [
        "0": ["o"], "1": ["i", "l"], "3": ["e"], "4": ["a"], "5": ["s"], "7": ["t"], "8": ["b"], "9": ["g"],
    ]

    /// One or two tokens: "12yo" and "1girl" split into number and word, so ages and the
    /// common "1girl" tag read naturally; other mixes of letters and digits are leetspeak.
    static func make(_ text: String) -> [PolicyToken] {
        if let split = text.firstIndex(where: { !$0.isASCII || !$0.isNumber }), split != text.startIndex,
           text[split...].allSatisfy({ $0.isLetter }) {
            return [PolicyToken(text: String(text[..<split])), PolicyToken(text: String(text[split...]))]
        }
        return [PolicyToken(text: text)]
    }

    init(text: String) {
        self.text = text
        let isNumber = !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
        self.number = isNumber && text.count <= 4 ? Int(text) : nil
        var forms = [text]
        if !isNumber, text.contains(where: { $0.isLetter }), text.contains(where: { Self.leet[$0] != nil }) {
            for choice in 0..<2 {
                let mapped = String(text.map { c in Self.leet[c].map { $0[min(choice, $0.count - 1)] } ?? c })
                if !forms.contains(mapped) { forms.append(mapped) }
            }
        }
        // "teen18": letters then digits also reads as the letters alone.
        if !isNumber, let firstDigit = text.firstIndex(where: { $0.isASCII && $0.isNumber }), firstDigit != text.startIndex,
           text[firstDigit...].allSatisfy({ $0.isASCII && $0.isNumber }), text[..<firstDigit].allSatisfy({ $0.isLetter }) {
            let letters = String(text[..<firstDigit])
            if !forms.contains(letters) { forms.append(letters) }
        }
        for form in forms where Self.hasLongRun(form) {
            for keep in [2, 1] {
                let squeezed = Self.collapseRuns(form, keep: keep)
                if !forms.contains(squeezed) { forms.append(squeezed) }
            }
        }
        self.forms = forms
    }

    /// Whether some letter repeats three or more times in a row.
    static func hasLongRun(_ text: String) -> Bool {
        var previous: Character?
        var run = 0
        for c in text {
            run = c == previous ? run + 1 : 1
            if run >= 3 { return true }
            previous = c
        }
        return false
    }

    /// Every run of a repeated character cut to at most `keep` (only runs of 3+ for keep = 2;
    /// all runs for keep = 1).
    static func collapseRuns(_ text: String, keep: Int) -> String {
        var out = ""
        var previous: Character?
        var run = 0
        for c in text {
            run = c == previous ? run + 1 : 1
            previous = c
            if run <= keep { out.append(c) }
        }
        return out
    }
}
