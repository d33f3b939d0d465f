import Foundation

/// Undoes the usual ways of disguising a word before the policy looks at a prompt
/// (content-policy reference §7–8): HTML entities and percent-escapes, compatibility forms
/// (fullwidth, math letters, ligatures), invisible characters, Cyrillic/Greek look-alikes,
/// other scripts, accents, case; then splits into tokens that carry leetspeak and
/// letter-repetition variants.
enum PolicyTextNormalizer {
    /// Folds the text to lowercase Latin without accents or invisible characters.
    static func fold(_ text: String) -> String {
        // Plain ASCII without escapes or control characters folds to its lowercase: no Foundation
        // pass needed (most prompts, and the 13,000 public-figure names folded at first use).
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: "%") }) {
            return text.lowercased()
        }
        var text = decodeEscapes(text)
        text = text.precomposedStringWithCompatibilityMapping
        text = mapConfusables(stripIgnorables(text))
        if text.unicodeScalars.contains(where: { $0.value >= 0x370 && $0.properties.isAlphabetic }) {
            text = text.applyingTransform(.toLatin, reverse: false) ?? text
        }
        text = text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        if text.unicodeScalars.contains(where: { $0.value > 0x7F }) {
            text = text.replacingOccurrences(of: "ß", with: "ss")
                .replacingOccurrences(of: "œ", with: "oe")
                .replacingOccurrences(of: "æ", with: "ae")
        }
        return text
    }

    /// The text with invisible characters removed and look-alikes mapped, but case and accents
    /// kept: what the named-person detector reads, since capitals matter there.
    static func clean(_ text: String) -> String {
        mapConfusables(stripIgnorables(decodeEscapes(text).precomposedStringWithCompatibilityMapping))
    }

    /// Folds and tokenises.
    static func tokens(_ text: String) -> [PolicyToken] {
        tokenize(fold(text))
    }

    // MARK: - Steps

    /// Numeric HTML entities, the common named ones, and percent-escapes (only when the whole
    /// text decodes, so "100% cotton" stays as it is).
    static func decodeEscapes(_ text: String) -> String {
        var text = text
        if text.contains("&") {
            for (entity, value) in [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""),
                                    ("&apos;", "'"), ("&nbsp;", " ")] {
                text = text.replacingOccurrences(of: entity, with: value)
            }
            if text.contains("&#") { text = decodeNumericEntities(text) }
        }
        if text.contains("%"), let decoded = text.removingPercentEncoding { text = decoded }
        return text
    }

    private static func decodeNumericEntities(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "&#") {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            let isHex = after.first == "x" || after.first == "X"
            let digits = (isHex ? after.dropFirst() : after).prefix { $0.isHexDigit && (isHex || $0.isNumber) }
            let end = digits.endIndex
            if !digits.isEmpty, digits.count <= 7, end < rest.endIndex, rest[end] == ";",
               let value = UInt32(digits, radix: isHex ? 16 : 10), let scalar = Unicode.Scalar(value) {
                out.unicodeScalars.append(scalar)
                rest = rest[rest.index(after: end)...]
            } else {
                out += "&#"
                rest = after
            }
        }
        return out + rest
    }

    /// Drops zero-width spaces, joiners, soft hyphens, BOMs (Default_Ignorable_Code_Point) and
    /// turns control characters into spaces.
    static func stripIgnorables(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.properties.isDefaultIgnorableCodePoint { continue }
            if scalar.properties.generalCategory == .control { scalars.append(" "); continue }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// Cyrillic and Greek letters that look like Latin ones, mapped by shape (a UTS #39
    /// "skeleton" for the cheap cases). Transliteration alone would turn Cyrillic "р" into "r".
    static let confusables: [Unicode.Scalar: Character] = {
        let pairs: [(String, String)] = [
            ("а", "a"), ("е", "e"), ("о", "o"), ("р", "p"), ("с", "c"), ("у", "y"), ("х", "x"), ("і", "i"),
            ("ј", "j"), ("ѕ", "s"), ("ԁ", "d"), ("һ", "h"), ("ԛ", "q"), ("ԝ", "w"), ("ү", "y"), ("к", "k"),
            ("м", "m"), ("т", "t"), ("в", "b"), ("н", "h"), ("ё", "e"), ("ї", "i"),
            ("А", "A"), ("В", "B"), ("Е", "E"), ("К", "K"), ("М", "M"), ("Н", "H"), ("О", "O"), ("Р", "P"),
            ("С", "C"), ("Т", "T"), ("Х", "X"), ("У", "Y"), ("І", "I"), ("Ј", "J"), ("Ѕ", "S"),
            ("α", "a"), ("ο", "o"), ("ν", "v"), ("ι", "i"), ("κ", "k"), ("ρ", "p"), ("τ", "t"), ("υ", "u"),
            ("χ", "x"), ("ε", "e"), ("Α", "A"), ("Β", "B"), ("Ε", "E"), ("Ζ", "Z"), ("Η", "H"), ("Ι", "I"),
            ("Κ", "K"), ("Μ", "M"), ("Ν", "N"), ("Ο", "O"), ("Ρ", "P"), ("Τ", "T"), ("Υ", "Y"), ("Χ", "X"),
            // IPA and phonetic letters, Latin small capitals, dotless i: Latin-script look-alikes
            // that neither NFKC nor transliteration map back to ASCII.
            ("ı", "i"), ("ɑ", "a"), ("ɡ", "g"), ("ɪ", "i"), ("ɩ", "i"), ("ʏ", "y"), ("ɴ", "n"), ("ʀ", "r"),
            ("ɛ", "e"), ("ɔ", "o"), ("ʜ", "h"), ("ʟ", "l"), ("ʙ", "b"), ("ɢ", "g"), ("ɾ", "r"), ("ʋ", "v"),
            ("ᴀ", "a"), ("ᴄ", "c"), ("ᴅ", "d"), ("ᴇ", "e"), ("ꜰ", "f"), ("ᴊ", "j"), ("ᴋ", "k"), ("ᴍ", "m"),
            ("ᴏ", "o"), ("ᴘ", "p"), ("ꜱ", "s"), ("ᴛ", "t"), ("ᴜ", "u"), ("ᴠ", "v"), ("ᴡ", "w"), ("ᴢ", "z"),
            // Letters with a stroke, which diacritic folding keeps.
            ("Ŧ", "T"), ("ŧ", "t"), ("Ł", "L"), ("ł", "l"), ("Đ", "D"), ("đ", "d"), ("Ø", "O"), ("ø", "o"),
            ("Ħ", "H"), ("ħ", "h"), ("Ƀ", "B"), ("ƀ", "b"), ("Ɨ", "I"), ("ɨ", "i"),
        ]
        var map: [Unicode.Scalar: Character] = [:]
        for (from, to) in pairs { map[from.unicodeScalars.first!] = Character(to) }
        return map
    }()

    static func mapConfusables(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value > 0x7F }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if let latin = confusables[scalar] { out.append(latin) } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    // MARK: - Tokens

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
    }

    /// Splits folded text into tokens. '@' and '$' touching a letter count as 'a' and 's', and
    /// '!' between two letters as 'i' (leetspeak that would otherwise split a word).
    static func tokenize(_ folded: String) -> [PolicyToken] {
        let scalars = Array(folded.unicodeScalars)
        var tokens: [PolicyToken] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { tokens.append(contentsOf: PolicyToken.make(String(current))) }
            current = String.UnicodeScalarView()
        }
        for (index, scalar) in scalars.enumerated() {
            if isWordScalar(scalar) {
                current.append(scalar)
                continue
            }
            let previousIsLetter = index > 0 && scalars[index - 1].properties.isAlphabetic
            let nextIsLetter = index + 1 < scalars.count && scalars[index + 1].properties.isAlphabetic
            switch scalar {
            case "@" where previousIsLetter || nextIsLetter: current.append("a")
            case "$" where previousIsLetter || nextIsLetter: current.append("s")
            case "!" where previousIsLetter && nextIsLetter: current.append("i")
            default: flush()
            }
        }
        flush()
        return tokens
    }
}
