/// Checking a template when it is loaded: can *any* choice of placeholder values produce a
/// prompt the policy refuses?
///
/// Rules combine signals ("school" from one placeholder, "lingerie" from another), so checking
/// each value alone is not enough, and trying every combination can explode. The check works on
/// signal *shapes*: each value of a placeholder is scanned inside the template text (so words
/// that join across the boundary are seen), values with the same shape are grouped, and every
/// combination of groups is decided — a handful, however many values there are. Small templates
/// are also checked by full substitution, which catches terms spanning two adjacent placeholders.
extension ContentPolicy {
    static let maximumShapeCombinations = 4096
    static let maximumFullSubstitutions = 256

    /// Placeholders are written `{name}` or `{{name}}`; missing values count as empty.
    package func checkTemplate(name: String, prompt: String, negativePrompt: String? = nil,
                              placeholderValues: [String: [String]], category: String,
                              isAdultCategory: Bool) -> PolicyDecision {
        let negativeText = negativePrompt ?? ""
        let names = Self.placeholderNames(in: prompt + " " + negativeText)
        let values = names.map { (name: $0, values: placeholderValues[$0] ?? []) }

        func scanned(_ choice: [String: String]) -> (PolicySignals, PolicySignals) {
            (scanner.scan(Self.substitute(prompt, choice), detectNamedPersons: true),
             scanner.scan(Self.substitute(negativeText, choice), detectNamedPersons: false))
        }
        func refusal(_ decision: PolicyDecision, _ choice: [(String, Int)]) -> PolicyDecision {
            guard let refusal = decision.refusal else { return decision }
            let chosen = choice.map { "\($0.0) value \($0.1 + 1)" }.joined(separator: ", ")
            return .refused(PolicyRefusal(
                ruleID: refusal.ruleID, ruleName: refusal.ruleName,
                message: "template '\(name)' can produce a refused prompt" + (chosen.isEmpty ? "" : " (with \(chosen))")
                    + ": " + refusal.message,
                isHardBlock: refusal.isHardBlock, triggers: refusal.triggers))
        }

        if let lengthy = evaluateLength(prompt, negativeText) { return refusal(lengthy, []) }
        let (basePositive, baseNegative) = scanned([:])

        // One group per distinct shape per placeholder, remembering a value that has it.
        struct Group { var positive: PolicySignals; var negative: PolicySignals; let valueIndex: Int }
        var groups: [[Group]] = []
        for placeholder in values {
            var byShape: [Set<String>: Group] = [:]
            var order: [Set<String>] = []
            for (index, value) in placeholder.values.enumerated() {
                let (positive, negative) = scanned([placeholder.name: value])
                let shape = positive.shape.union(negative.shape.map { "negative:" + $0 })
                if byShape[shape] == nil {
                    byShape[shape] = Group(positive: positive, negative: negative, valueIndex: index)
                    order.append(shape)
                }
            }
            groups.append(order.map { byShape[$0]! })
        }

        // A hard block anywhere beats a softer refusal found earlier: the first soft one waits
        // until every combination has been tried.
        var pending: PolicyDecision?
        let combinations = groups.reduce(1) { $0 * max(1, $1.count) }
        if combinations <= Self.maximumShapeCombinations {
            var indexes = [Int](repeating: 0, count: groups.count)
            while true {
                var positive = basePositive, negative = baseNegative
                var choice: [(String, Int)] = []
                for (slot, group) in groups.enumerated() where !group.isEmpty {
                    let chosen = group[indexes[slot]]
                    positive.merge(chosen.positive)
                    negative.merge(chosen.negative)
                    choice.append((values[slot].name, chosen.valueIndex))
                }
                let decision = decide(prompt: positive, negative: negative, category: category, isAdultCategory: isAdultCategory)
                if decision.refusal?.isHardBlock == true { return refusal(decision, choice) }
                if !decision.isAllowed, pending == nil { pending = refusal(decision, choice) }
                guard Self.advance(&indexes, limits: groups.map { max(1, $0.count) }) else { break }
            }
        } else {
            // Too many shapes to combine: decide on everything at once (may over-refuse, never under).
            var positive = basePositive, negative = baseNegative
            for group in groups.joined() {
                positive.merge(group.positive)
                negative.merge(group.negative)
            }
            let decision = decide(prompt: positive, negative: negative, category: category, isAdultCategory: isAdultCategory)
            if !decision.isAllowed { return refusal(decision, []) }
        }
        if let pending { return pending }

        let substitutions = values.reduce(1) { $0 * max(1, $1.values.count) }
        if substitutions <= Self.maximumFullSubstitutions {
            var indexes = [Int](repeating: 0, count: values.count)
            while true {
                var choice: [String: String] = [:]
                var chosen: [(String, Int)] = []
                for (slot, placeholder) in values.enumerated() where !placeholder.values.isEmpty {
                    choice[placeholder.name] = placeholder.values[indexes[slot]]
                    chosen.append((placeholder.name, indexes[slot]))
                }
                let decision = evaluate(prompt: Self.substitute(prompt, choice),
                                        negativePrompt: Self.substitute(negativeText, choice),
                                        category: category, isAdultCategory: isAdultCategory)
                if decision.refusal?.isHardBlock == true { return refusal(decision, chosen) }
                if !decision.isAllowed, pending == nil { pending = refusal(decision, chosen) }
                guard Self.advance(&indexes, limits: values.map { max(1, $0.values.count) }) else { break }
            }
        }
        return pending ?? .allowed
    }

    private func evaluateLength(_ prompt: String, _ negative: String) -> PolicyDecision? {
        let decision = evaluate(prompt: String(repeating: " ", count: max(prompt.count, negative.count)),
                                category: "", isAdultCategory: false)
        return decision.isAllowed ? nil : decision
    }

    /// Odometer increment; false when every combination has been visited.
    private static func advance(_ indexes: inout [Int], limits: [Int]) -> Bool {
        for slot in indexes.indices.reversed() {
            indexes[slot] += 1
            if indexes[slot] < limits[slot] { return true }
            indexes[slot] = 0
        }
        return false
    }

    // MARK: - Placeholders

    private static func isNameCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-" || c == ".")
    }

    /// A placeholder occurrence: its name and the range it covers in the text.
    private static func placeholders(in text: String) -> [(name: String, range: Range<String.Index>)] {
        var found: [(String, Range<String.Index>)] = []
        var index = text.startIndex
        while index < text.endIndex {
            guard text[index] == "{" else { index = text.index(after: index); continue }
            let isDouble = text.index(after: index) < text.endIndex && text[text.index(after: index)] == "{"
            let nameStart = text.index(index, offsetBy: isDouble ? 2 : 1)
            guard let close = text[nameStart...].firstIndex(of: "}") else { break }
            let inner = text[nameStart..<close].trimmingCharacters(in: .whitespaces)
            var end = text.index(after: close)
            if isDouble {
                guard end < text.endIndex, text[end] == "}" else { index = text.index(after: index); continue }
                end = text.index(after: end)
            }
            if !inner.isEmpty, inner.allSatisfy(isNameCharacter) {
                found.append((inner, index..<end))
                index = end
            } else {
                index = text.index(after: index)
            }
        }
        return found
    }

    static func placeholderNames(in text: String) -> [String] {
        var seen = Set<String>()
        return placeholders(in: text).map(\.name).filter { seen.insert($0).inserted }
    }

    /// The text with each placeholder replaced by its chosen value, or a space.
    static func substitute(_ text: String, _ values: [String: String]) -> String {
        var out = ""
        var position = text.startIndex
        for placeholder in placeholders(in: text) {
            out += text[position..<placeholder.range.lowerBound]
            out += values[placeholder.name] ?? " "
            position = placeholder.range.upperBound
        }
        return out + text[position...]
    }
}
