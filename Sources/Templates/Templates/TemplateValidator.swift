import ImagegenJSON5
import Foundation

/// Checks the meaning of a decoded category file and builds `PromptTemplate` values from it.
///
/// Every check reports through the file context with the JSON path of the offending value, so the author
/// gets a line and column. A template with any error is left out; warnings leave it in.
struct TemplateValidator {
    let document: TemplateFileDocument

    init(document: TemplateFileDocument) {
        self.document = document
    }

    private static let defaultsPath: [JSON5PathComponent] = [.key("defaults")]

    /// Checks that concern the whole file (category name, defaults).
    func checkFile(_ context: inout TemplateFileContext) {
        if !TemplateName.isValid(document.category) {
            context.report(.invalidName(kind: "category", name: document.category), at: [.key("category")])
        }
        let fileName = (context.file as NSString).lastPathComponent
        let stem = (fileName as NSString).deletingPathExtension
        if TemplateName.isValid(document.category), stem != document.category, fileName.hasSuffix(".json5") {
            context.report(.categoryNameMismatch(category: document.category, fileName: fileName), at: [.key("category")])
        }
        if document.templates.isEmpty {
            context.report(.noTemplates, at: [.key("templates")])
        }
        guard let defaults = document.defaults else { return }
        if let parameters = defaults.parameters {
            checkRanges(parameters, at: Self.defaultsPath + [.key("parameters")], in: &context)
        }
        if let model = defaults.model, model.trimmingCharacters(in: .whitespaces).isEmpty {
            context.report(.invalidValue(field: "defaults.model", reason: "it is empty; remove it to use the generator's default model"),
                           at: Self.defaultsPath + [.key("model")])
        }
        checkPlaceholderValues(defaults.placeholders ?? [:], at: Self.defaultsPath + [.key("placeholders")], in: &context)
    }

    /// Validates template `index`, returning it with defaults applied, or nil when it has an error.
    func validate(_ draft: TemplateDraft, index: Int, in context: inout TemplateFileContext) -> PromptTemplate? {
        let base: [JSON5PathComponent] = [.key("templates"), .index(index)]
        let defaults = document.defaults
        let errorsBefore = context.problems.count { $0.severity == .error }

        if !TemplateName.isValid(draft.name) {
            context.report(.invalidName(kind: "template", name: draft.name), at: base + [.key("name")])
        }
        if draft.prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            context.report(.emptyPrompt(field: "prompt"), at: base + [.key("prompt")])
        }
        if let model = draft.model, model.trimmingCharacters(in: .whitespaces).isEmpty {
            context.report(.invalidValue(field: "model", reason: "it is empty; remove it to use the default model"),
                           at: base + [.key("model")])
        }
        for (tagIndex, tag) in (draft.tags ?? []).enumerated() where tag.trimmingCharacters(in: .whitespaces).isEmpty {
            context.report(.invalidValue(field: "tags[\(tagIndex)]", reason: "a tag cannot be empty"),
                           at: base + [.key("tags"), .index(tagIndex)])
        }
        if let parameters = draft.parameters {
            checkRanges(parameters, at: base + [.key("parameters")], in: &context)
        }
        let ownPlaceholders = draft.placeholders ?? [:]
        checkPlaceholderValues(ownPlaceholders, at: base + [.key("placeholders")], in: &context)
        let placeholders = (defaults?.placeholders ?? [:]).merging(ownPlaceholders) { _, own in own }
        if let experiment = draft.experiment {
            checkExperiment(experiment, at: base + [.key("experiment")], in: &context)
        }

        // Every text that reaches the provider, with where it is written.
        var texts: [(text: String, field: String, path: [JSON5PathComponent])] = [
            (draft.prompt, "prompt", base + [.key("prompt")]),
        ]
        if let negative = draft.negativePrompt {
            texts.append((negative, "negative_prompt", base + [.key("negative_prompt")]))
        } else if let negative = defaults?.negativePrompt {
            texts.append((negative, "defaults.negative_prompt", Self.defaultsPath + [.key("negative_prompt")]))
        }
        for (armIndex, arm) in (draft.experiment?.arms ?? []).enumerated() {
            let armPath = base + [.key("experiment"), .key("arms"), .index(armIndex)]
            texts.append((arm.prompt, "the prompt of arm '\(arm.name)'", armPath + [.key("prompt")]))
            if let negative = arm.negativePrompt {
                texts.append((negative, "the negative_prompt of arm '\(arm.name)'", armPath + [.key("negative_prompt")]))
            }
        }
        var used = Set<String>()
        for entry in texts {
            for reference in PlaceholderSyntax.references(in: entry.text) {
                used.insert(reference.name)
                if placeholders[reference.name] == nil {
                    let offset = context.offset(of: reference.text, inStringAt: entry.path)
                    context.report(.undefinedPlaceholder(name: reference.name, field: entry.field), at: offset, templateIndex: index)
                }
            }
            for text in PlaceholderSyntax.malformed(in: entry.text) {
                let offset = context.offset(of: text, inStringAt: entry.path)
                context.report(.malformedPlaceholder(text: text, field: entry.field), at: offset, templateIndex: index)
            }
        }
        for name in ownPlaceholders.keys.sorted() where !used.contains(name) {
            context.report(.unusedPlaceholder(name: name), at: base + [.key("placeholders"), .key(name)])
        }

        let errorsAfter = context.problems.count { $0.severity == .error }
        guard errorsAfter == errorsBefore, !context.failedTemplates.contains(index) else { return nil }
        return PromptTemplate(
            name: draft.name,
            category: document.category,
            adult: document.adult,
            prompt: draft.prompt,
            negativePrompt: draft.negativePrompt ?? defaults?.negativePrompt ?? "",
            parameters: resolve(draft.parameters, defaults?.parameters),
            model: draft.model ?? defaults?.model,
            tags: (draft.tags ?? []).map { $0.trimmingCharacters(in: .whitespaces) },
            placeholders: placeholders.filter { used.contains($0.key) },
            experiment: draft.experiment.map { TemplateExperiment(arms: $0.arms) })
    }

    private func resolve(_ own: TemplateParametersDraft?, _ defaults: TemplateParametersDraft?) -> TemplateParameters {
        let standard = TemplateParameters.standard
        return TemplateParameters(
            width: own?.width ?? defaults?.width ?? standard.width,
            height: own?.height ?? defaults?.height ?? standard.height,
            steps: own?.steps ?? defaults?.steps ?? standard.steps,
            guidanceScale: own?.guidanceScale ?? defaults?.guidanceScale ?? standard.guidanceScale)
    }

    private func checkRanges(_ parameters: TemplateParametersDraft, at path: [JSON5PathComponent],
                             in context: inout TemplateFileContext) {
        let sizes = TemplateParameters.sizeRange
        let multiple = TemplateParameters.sizeMultiple
        for (key, value) in [("width", parameters.width), ("height", parameters.height)] {
            guard let value else { continue }
            if !sizes.contains(value) || value % multiple != 0 {
                context.report(.outOfRange(field: key, value: "\(value)",
                                           allowed: "range \(sizes.lowerBound)...\(sizes.upperBound) in multiples of \(multiple)"),
                               at: path + [.key(key)])
            }
        }
        if let steps = parameters.steps, !TemplateParameters.stepsRange.contains(steps) {
            let range = TemplateParameters.stepsRange
            context.report(.outOfRange(field: "steps", value: "\(steps)", allowed: "range \(range.lowerBound)...\(range.upperBound)"),
                           at: path + [.key("steps")])
        }
        if let guidance = parameters.guidanceScale {
            let range = TemplateParameters.guidanceScaleRange
            if !guidance.isFinite || !range.contains(guidance) {
                context.report(.outOfRange(field: "guidance_scale", value: "\(guidance)",
                                           allowed: "range \(range.lowerBound)...\(range.upperBound)"),
                               at: path + [.key("guidance_scale")])
            }
        }
    }

    private func checkPlaceholderValues(_ placeholders: [String: [String]], at path: [JSON5PathComponent],
                                        in context: inout TemplateFileContext) {
        for name in placeholders.keys.sorted() {
            let values = placeholders[name] ?? []
            let valuePath = path + [.key(name)]
            if !PlaceholderSyntax.isValidName(name) {
                context.report(.invalidName(kind: "placeholder", name: name), at: valuePath)
            }
            if values.isEmpty {
                context.report(.emptyPlaceholderValues(name: name), at: valuePath)
            }
            var seen = Set<String>()
            for (valueIndex, value) in values.enumerated() {
                if value.trimmingCharacters(in: .whitespaces).isEmpty {
                    context.report(.invalidValue(field: "\(name)[\(valueIndex)]", reason: "a placeholder value cannot be empty"),
                                   at: valuePath + [.index(valueIndex)])
                } else if !seen.insert(value).inserted {
                    context.report(.duplicatePlaceholderValue(name: name, value: value), at: valuePath + [.index(valueIndex)])
                }
            }
        }
    }

    private func checkExperiment(_ experiment: ExperimentDraft, at path: [JSON5PathComponent],
                                 in context: inout TemplateFileContext) {
        if experiment.arms.count < 2 {
            context.report(.tooFewArms(count: experiment.arms.count), at: path + [.key("arms")])
        }
        var seen = Set<String>()
        for (armIndex, arm) in experiment.arms.enumerated() {
            let armPath = path + [.key("arms"), .index(armIndex)]
            if !TemplateName.isValid(arm.name) {
                context.report(.invalidName(kind: "arm", name: arm.name), at: armPath + [.key("name")])
            } else if !seen.insert(arm.name).inserted {
                context.report(.duplicateArmName(name: arm.name), at: armPath + [.key("name")])
            }
            if arm.prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                context.report(.emptyPrompt(field: "the prompt of arm '\(arm.name)'"), at: armPath + [.key("prompt")])
            }
        }
    }
}
