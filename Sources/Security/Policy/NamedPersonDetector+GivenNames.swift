import Foundation

/// The trigger-free half of the real-person heuristic: "<given name> <surname>" in any letter
/// case ("emma stone nude", "EMMA STONE", "Emma Stone wearing lace") — a given name from the
/// shipped list followed, with no punctuation between, by a word that can be a surname.
///
/// Tuned against false positives: the next word must not be an everyday prompt word (verbs,
/// prepositions, colours, clothing, the policy's own vocabulary), a lowercase word ending in
/// -ing/-ed/-ly is never a surname, names that are also everyday words ("rose", "may") count
/// only when capitalised, and configured allowed names (fictional characters, brands) and
/// non-person phrases are skipped.
extension NamedPersonDetector {
    static func givenNamePairs(in cleanedText: String, givenNames: GivenNameList,
                               skip: Set<String>) -> [String] {
        let words = split(cleanedText)
        let folded = words.map { PolicyTextNormalizer.fold($0.text) }
        // "J3nnifer": the given name through its leetspeak forms.
        let given = words.indices.map { index in
            PolicyToken(text: folded[index]).forms.first { givenNames.contains(folded: $0, written: words[index].text) }
        }
        var found: [String] = []
        var index = 0
        while index + 1 < words.count {
            guard let name = given[index],
                  // In a Title Case prompt, capitals say nothing: names that are everyday words need more.
                  givenNames.anyCase.contains(name) || !isTitleCase(words, excluding: index..<(index + 2)) else {
                index += 1
                continue
            }
            var next = index + 1
            var parts = [words[index].text]
            // "Leonardo da Vinci", "Jean de La Fontaine": particles, then the surname.
            while next < words.count, !words[next].breakBefore, particles.contains(folded[next]),
                  next + 1 < words.count, !words[next + 1].breakBefore {
                parts.append(words[next].text)
                next += 1
            }
            guard next < words.count, !words[next].breakBefore,
                  isSurname(written: words[next].text, folded: folded[next]) else {
                index += 1
                continue
            }
            parts.append(words[next].text)
            let key = folded[index...next].joined(separator: " ")
            let pair = name + " " + folded[next]
            if !skip.contains(key), !skip.contains(pair), !nonPersonPhrases.contains(pair) {
                found.append(parts.joined(separator: " "))
            }
            index = next + 1
        }
        return found
    }

    private static func isSurname(written: String, folded: String) -> Bool {
        guard folded.count >= 2, folded.allSatisfy({ $0.isLetter || $0 == "'" || $0 == "-" }) else { return false }
        if notSurnames.contains(folded) || descriptiveWords.contains(folded) || determiners.contains(folded) { return false }
        if PolicyVocabulary.signalLexicon.labels(ofWord: folded) != nil { return false }
        let isLower = written.first?.isLowercase ?? true
        if isLower, folded.hasSuffix("ing") || folded.hasSuffix("ed") || folded.hasSuffix("ly") { return false }
        return true
    }

    /// Everyday words that follow a name in prompts and are not surnames.
    static let notSurnames: Set<String> = Set("""
    and or but with without in on at by for from to of into onto over under near behind beside between as is are was \
    were be been being has have had does did do who whose which that this than then there here while when where like \
    wearing wears wear dressed posing poses pose sitting sits standing stands lying lies leaning looks looking smiling \
    smiles walking walks dancing holding holds reading sleeping relaxing laughing in-front style styled inspired \
    lingerie lace silk satin cotton velvet leather lace-up dress dresses gown robe shirt blouse skirt jeans heels \
    stockings corset bodysuit bra swimsuit bikini outfit costume hat scarf gloves boots shoes jewelry necklace \
    photo photograph photography picture image portrait shot closeup close-up headshot editorial fashion glamour \
    pinup pin-up boudoir studio bedroom bed bathroom bath shower pool beach garden room window mirror couch sofa chair \
    apartment hotel loft suite villa penthouse cafe street avenue boulevard palace mansion cabin chalet terrace balcony \
    petals petal flowers flower bouquet necklace earrings ring bracelet lipstick lips tones hues glow sky wine \
    morning evening night afternoon sunrise sunset season spring winter fall \
    light lighting shadow shadows soft hard warm cool natural golden hour backlit rim \
    black white red blue green pink purple yellow orange brown grey gray beige cream ivory gold silver navy emerald \
    tasteful elegant classic classical artistic fine art fineart nude bare feet foot legs body skin hair eyes lips \
    smile face figure silhouette study sculpture statue painting drawing sketch render illustration \
    high low detail detailed sharp focus bokeh lens mm film grain color colour colors colours tones tone \
    years year old age aged adult woman man model models \
    et ou avec sans dans sur sous pour par en au aux chez vers qui que dont est sont portant porte pose posant assise \
    debout allongee allonge souriante robe dentelle soie noir noire blanc blanche rouge rose bleu bleue \
    jeune belle beau grand grande petit petite nue nu photo portrait lumiere ombre
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
}
