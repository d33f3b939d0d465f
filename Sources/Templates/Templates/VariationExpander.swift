/// Expands a template into a batch of distinct variations: seeds, placeholder values, arm prompts, and the
/// parameters a preference profile asks for.
///
/// Deterministic: the same template, count, base seed, arms and profile always give the same batch. Seeds
/// are distinct within a batch (see `VariationSeeds`), so no two variations share a prompt and seed even
/// when a template has no placeholders or fewer combinations than variations.
package struct VariationExpander: Sendable {
    /// Variations per request: enough to explore a template, small enough to price and review.
    package static let allowedCount = 1...16

    /// Mixed into the base seed for placeholder choices, so they are independent of the seed stream.
    private static let placeholderStream: UInt64 = 0x706C_6163_6568_6F6C

    package init() {}

    /// - Parameters:
    ///   - arms: for an experiment, the arm of each variation (from `ArmAssigner`), `variations` names long;
    ///     nil uses the template's own prompt.
    ///   - profile: biases placeholder values and adjusts parameters; recorded on each variation.
    package func expand(_ template: PromptTemplate, variations count: Int, baseSeed: UInt64,
                       arms: [String]? = nil, profile: PreferenceProfile? = nil) throws(VariationError) -> [Variation] {
        guard Self.allowedCount.contains(count) else {
            throw .countOutOfRange(requested: count, allowed: Self.allowedCount)
        }
        let armPlan = try resolveArms(arms, count: count, of: template)
        // A hand-built template may reference a placeholder without values; it stays as written.
        let names = template.referencedPlaceholders.filter { !(template.placeholders[$0] ?? []).isEmpty }
        let values = names.map { template.placeholders[$0] ?? [] }
        let probabilities = zip(names, values).map { name, list in
            profile?.probabilities(forPlaceholder: name, values: list) ?? Array(repeating: 1.0 / Double(list.count), count: list.count)
        }
        var sampler = PlaceholderCombinationSampler(names: names, values: values, probabilities: probabilities)
        var random = SplitMix64(seed: baseSeed ^ Self.placeholderStream)
        let seeds = VariationSeeds.derive(baseSeed: baseSeed, count: count)
        let version = template.version
        let parameters = profile?.parameters.apply(to: template.parameters) ?? template.parameters

        return (0..<count).map { index in
            let chosen = sampler.next(using: &random)
            let arm = armPlan?[index]
            let source = arm.map { template.applying(arm: $0) } ?? template
            return Variation(
                index: index,
                templateName: template.name,
                templateVersion: version,
                category: template.category,
                arm: arm?.name,
                profile: profile?.name,
                placeholderValues: chosen,
                seed: seeds[index],
                prompt: PlaceholderSyntax.fill(source.prompt, with: chosen),
                negativePrompt: PlaceholderSyntax.fill(source.negativePrompt, with: chosen),
                parameters: parameters,
                model: template.model)
        }
    }

    private func resolveArms(_ names: [String]?, count: Int, of template: PromptTemplate) throws(VariationError) -> [ExperimentArm]? {
        guard let names else { return nil }
        guard let experiment = template.experiment else { throw .notAnExperiment(template: template.name) }
        guard names.count == count else {
            throw .armCountMismatch(template: template.name, variations: count, arms: names.count)
        }
        var arms: [ExperimentArm] = []
        for name in names {
            guard let arm = experiment.arm(named: name) else {
                throw .unknownArm(template: template.name, arm: name, known: experiment.armNames)
            }
            arms.append(arm)
        }
        return arms
    }
}
