/// Finds ages written in the forms people use, in English and French: "15 years old",
/// "15-year-old", "15yo", "15 y.o.", "15 yrs", "aged 15", "age of 15", "fifteen year old",
/// "15th birthday", "15 ans", "âgée de quinze ans", "6 months old". Leading zeros are ignored
/// and "twenty one" or "vingt et un" are not read as "one".
enum AgeExpressionDetector {
    struct Age: Sendable, Equatable {
        let years: Int
        let phrase: String
    }

    static let numberWords: [String: Int] = [
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19,
        "thirten": 13, "fourten": 14, "forteen": 14, "fiveteen": 15, "fiften": 15, "sixten": 16, "seventen": 17,
        "twelf": 12,
        "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
        "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
        "dixsept": 17, "dixhuit": 18, "dixneuf": 19,
    ]

    /// Tens words: a number word right after one of these is part of a larger number.
    static let tens: Set<String> = [
        "twenty", "thirty", "forty", "fourty", "fifty", "sixty", "seventy", "eighty", "ninety",
        "vingt", "trente", "quarante", "cinquante", "soixante", "septante", "octante", "huitante", "nonante",
    ]

    static let yearUnitsNeedingOld: Set<String> = ["year", "years", "month", "months"]
    static let yearUnitsAlone: Set<String> = ["yo", "yrs", "yr", "ans", "an", "yrsold", "yearsold", "yearold"]
    static let monthUnitsAlone: Set<String> = ["mois"]
    static let ordinalSuffixes: Set<String> = ["th", "st", "nd", "rd", "eme", "e"]
    static let birthdayWords: Set<String> = ["birthday", "bday", "anniversaire"]

    /// Every age expression in the tokens, in years (months count as age 0).
    static func ages(in tokens: [PolicyToken], masked: Set<Int> = []) -> [Age] {
        var found: [Age] = []
        var index = 0
        while index < tokens.count {
            guard !masked.contains(index), let (value, length) = number(at: index, in: tokens) else {
                index += 1
                continue
            }
            if isPartOfLargerNumber(index, in: tokens) {
                index += length
                continue
            }
            let after = index + length
            if let start = upperBoundPrefix(before: index, in: tokens, value: value, after: after) {
                // "under 16 years old", "younger than 15", "moins de 18 ans": below that age.
                let end = unit(at: after, in: tokens)?.end ?? after
                found.append(Age(years: value - 1, phrase: phrase(tokens, start..<end)))
            } else if let (isMonths, end) = unit(at: after, in: tokens) {
                found.append(Age(years: isMonths ? 0 : value, phrase: phrase(tokens, index..<end)))
            } else if let end = birthday(at: after, in: tokens) {
                found.append(Age(years: value, phrase: phrase(tokens, index..<end)))
            } else if let start = agePrefix(before: index, in: tokens)
                        ?? (countsPeople(after, in: tokens) ? nil : apparentAgePrefix(before: index, in: tokens)) {
                found.append(Age(years: value, phrase: phrase(tokens, start..<after)))
            }
            index += length
        }
        return found
    }

    /// A number written in digits or words, possibly two words ("dix sept").
    private static func number(at index: Int, in tokens: [PolicyToken]) -> (Int, Int)? {
        let token = tokens[index]
        if let value = token.number { return (value, 1) }
        // "tw3lve", "fiftee een": number words through the token's leetspeak and run forms.
        guard let value = token.forms.lazy.compactMap({ numberWords[$0] }).first else { return nil }
        if value == 10, index + 1 < tokens.count, let next = numberWords[tokens[index + 1].text], (7...9).contains(next) {
            return (10 + next, 2)
        }
        return (value, 1)
    }

    private static func isPartOfLargerNumber(_ index: Int, in tokens: [PolicyToken]) -> Bool {
        guard index > 0 else { return false }
        let previous = tokens[index - 1].text
        if tens.contains(previous) { return true }
        if previous == "et" || previous == "and", index > 1, tens.contains(tokens[index - 2].text) { return true }
        return false
    }

    /// "years old", "year-old", "years of age", "yo", "y o", "yrs", "ans", "months old", "mois".
    private static func unit(at index: Int, in tokens: [PolicyToken]) -> (isMonths: Bool, end: Int)? {
        guard index < tokens.count else { return nil }
        let word = tokens[index].text
        if yearUnitsAlone.contains(word) {
            let end = index + 1 < tokens.count && tokens[index + 1].text == "old" ? index + 2 : index + 1
            return (false, end)
        }
        if monthUnitsAlone.contains(word) { return (true, index + 1) }
        if word == "y", index + 1 < tokens.count, tokens[index + 1].text == "o" { return (false, index + 2) }
        if yearUnitsNeedingOld.contains(word), index + 1 < tokens.count {
            let isMonths = word.hasPrefix("month")
            if tokens[index + 1].text == "old" { return (isMonths, index + 2) }
            if tokens[index + 1].text == "of", index + 2 < tokens.count, tokens[index + 2].text == "age" {
                return (isMonths, index + 3)
            }
        }
        return nil
    }

    /// "15th birthday", "15 th bday", "15eme anniversaire".
    private static func birthday(at index: Int, in tokens: [PolicyToken]) -> Int? {
        var position = index
        if position < tokens.count, ordinalSuffixes.contains(tokens[position].text) { position += 1 }
        guard position < tokens.count, birthdayWords.contains(tokens[position].text) else { return nil }
        return position + 1
    }

    /// "aged 15", "age 15", "age of 15", "ages 15", "agee de 15", "age de 15".
    private static func agePrefix(before index: Int, in tokens: [PolicyToken]) -> Int? {
        guard index >= 1 else { return nil }
        let previous = tokens[index - 1].text
        if ["aged", "age", "ages", "agee", "agees"].contains(previous) { return index - 1 }
        if (previous == "of" || previous == "de"), index >= 2,
           ["age", "aged", "agee", "agees"].contains(tokens[index - 2].text) {
            return index - 2
        }
        return nil
    }

    /// Verbs that give an apparent age: "looks 12", "looks like she's twelve", "appears about
    /// 14", "seems 13", "parait 12", "semble avoir 13" (the French forms usually carry "ans").
    static let apparentAgeVerbs: Set<String> = ["look", "looks", "looking", "lookin", "appear", "appears", "appearing",
                                                "seem", "seems", "seeming", "passes", "pass", "passing",
                                                "parait", "paraissant", "semble", "semblant"]
    /// Words allowed between such a verb and the number.
    static let apparentAgeFillers: Set<String> = ["like", "about", "around", "roughly", "approximately", "maybe", "only",
                                                  "just", "barely", "to", "be", "she", "he", "they", "s", "is", "re",
                                                  "as", "young", "avoir", "a", "peine", "environ", "dans",
                                                  "les", "tout", "juste", "pas", "plus", "de", "que", "d", "max"]

    /// "looks like 2 women": the number counts people, it is not an age.
    static let pluralPeople: Set<String> = ["women", "men", "girls", "boys", "models", "people", "persons", "ladies",
                                            "friends", "femmes", "filles", "hommes", "garcons", "personnes", "amies"]

    private static func countsPeople(_ index: Int, in tokens: [PolicyToken]) -> Bool {
        index < tokens.count && pluralPeople.contains(tokens[index].text)
    }

    private static func apparentAgePrefix(before index: Int, in tokens: [PolicyToken]) -> Int? {
        var position = index - 1
        var fillers = 0
        while position >= 0, fillers <= 4 {
            let word = tokens[position].text
            if tokens[position].forms.contains(where: { apparentAgeVerbs.contains($0) }) { return position }
            guard apparentAgeFillers.contains(word) else { return nil }
            fillers += 1
            position -= 1
        }
        return nil
    }

    /// "under 16 years old", "younger than 15", "less than 16 yo", "not yet 16", "moins de 16
    /// ans", "pas encore 16 ans", "under 18". "under", "less than" and "moins de" need an age
    /// unit (or 18 itself), so "under 10 dollars" stays a price.
    private static func upperBoundPrefix(before index: Int, in tokens: [PolicyToken], value: Int, after: Int) -> Int? {
        guard index >= 1, value <= 18, value >= 1 else { return nil }
        let previous = tokens[index - 1].text
        let twoBack = index >= 2 ? tokens[index - 2].text : ""
        if previous == "than", ["younger", "jeune"].contains(twoBack) { return index - 2 }
        if previous == "que", twoBack == "jeune" { return index - 2 }
        // "not yet 16", "pas encore 16": never a price.
        if (previous == "yet" && twoBack == "not") || (previous == "encore" && twoBack == "pas") { return index - 2 }
        let start: Int
        if ["under", "below", "sub"].contains(previous) {
            start = index - 1
        } else if previous == "than", twoBack == "less" {
            start = index - 2
        } else if previous == "de", twoBack == "moins" {
            start = index - 2
        } else {
            return nil
        }
        return value == 18 || unit(at: after, in: tokens) != nil ? start : nil
    }

    private static func phrase(_ tokens: [PolicyToken], _ range: Range<Int>) -> String {
        tokens[range].map(\.text).joined(separator: " ")
    }
}
