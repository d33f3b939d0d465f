/// Chooses one value per placeholder for each variation of a batch, without repeating a combination until
/// all of them have been used.
///
/// Each value is drawn with its probability (uniform, or biased by a preference profile); a combination
/// already used in the batch is redrawn, and after a bounded number of redraws the next unused combination
/// in enumeration order is taken, so a strong preference can never loop or repeat needlessly. Everything
/// comes from the given generator, so a batch is reproducible from its seed, and the first `k` choices of a
/// batch do not depend on its size.
struct PlaceholderCombinationSampler {
    /// Redraws before falling back to enumeration.
    static let maximumRedraws = 32

    let names: [String]
    let values: [[String]]
    let probabilities: [[Double]]
    /// Number of distinct combinations, saturating at `Int.max`.
    let total: Int
    private var used = Set<[Int]>()

    init(names: [String], values: [[String]], probabilities: [[Double]]) {
        self.names = names
        self.values = values
        self.probabilities = probabilities
        var product = 1
        for list in values {
            let (result, overflow) = product.multipliedReportingOverflow(by: list.count)
            product = overflow ? Int.max : result
        }
        total = product
    }

    /// The next combination: placeholder name → value.
    mutating func next(using random: inout some RandomNumberGenerator) -> [String: String] {
        guard !names.isEmpty else { return [:] }
        if used.count >= total { used.removeAll() }
        var choice = draw(using: &random)
        var redraws = 0
        while used.contains(choice), redraws < Self.maximumRedraws {
            choice = draw(using: &random)
            redraws += 1
        }
        while used.contains(choice) { choice = successor(of: choice) }
        used.insert(choice)
        return Dictionary(uniqueKeysWithValues: zip(names, zip(values, choice).map { $0[$1] }))
    }

    private func draw(using random: inout some RandomNumberGenerator) -> [Int] {
        probabilities.map { random.nextIndex(weightedBy: $0) }
    }

    /// The next combination in mixed-radix order (last placeholder varies fastest), wrapping around.
    private func successor(of choice: [Int]) -> [Int] {
        var next = choice
        for position in next.indices.reversed() {
            next[position] += 1
            if next[position] < values[position].count { return next }
            next[position] = 0
        }
        return next
    }
}
