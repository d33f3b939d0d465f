import ImagegenJSON5

/// Warns about keys the loader does not know, with a "did you mean" for near misses.
///
/// Codable silently ignores unknown keys, so `negativ_prompt` would otherwise vanish without a trace.
enum UnknownKeyCheck {
    static func run(_ context: inout TemplateFileContext) {
        let root = context.outline.root
        check(root, known: TemplateFileDocument.knownKeys, name: "the file", in: &context)
        if let defaults = root.member("defaults")?.value {
            check(defaults, known: TemplateDefaultsDraft.CodingKeys.allCases.map(\.rawValue), name: "defaults", in: &context)
            if let parameters = defaults.member("parameters")?.value {
                check(parameters, known: parameterKeys, name: "defaults.parameters", in: &context)
            }
        }
        for (index, template) in (root.member("templates")?.value.elements ?? []).enumerated() {
            let name = context.templateName(at: index).map { "template '\($0)'" } ?? "template \(index + 1)"
            check(template, known: TemplateDraft.CodingKeys.allCases.map(\.rawValue), name: name, in: &context)
            if let parameters = template.member("parameters")?.value {
                check(parameters, known: parameterKeys, name: "the parameters of \(name)", in: &context)
            }
            if let experiment = template.member("experiment")?.value {
                check(experiment, known: ExperimentDraft.knownKeys, name: "the experiment of \(name)", in: &context)
                for arm in experiment.member("arms")?.value.elements ?? [] {
                    check(arm, known: ExperimentDraft.armKeys, name: "an arm of \(name)", in: &context)
                }
            }
        }
    }

    private static let parameterKeys = TemplateParametersDraft.CodingKeys.allCases.map(\.rawValue)

    private static func check(_ node: JSON5Node, known: [String], name: String, in context: inout TemplateFileContext) {
        for member in node.members where !known.contains(member.key) {
            context.report(.unknownKey(key: member.key, context: name, suggestion: suggestion(for: member.key, among: known)),
                           at: member.keyStart)
        }
    }

    static func suggestion(for key: String, among known: [String]) -> String? {
        KeySuggestion.suggestion(for: key, among: known)
    }
}
