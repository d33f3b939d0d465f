/// Makes an experiment's arm the template's prompt, as a new template version.
///
/// The arm's prompt (and its negative prompt, if it has one) replaces the template's; the experiment ends,
/// so the arms are removed, and so are the template's own placeholders that no remaining prompt uses. Given
/// the category file's text, the same change is made to the text in place, and the edited text is loaded
/// again to check that it yields exactly the promoted template before it is returned.
package struct ExperimentPromoter: Sendable {
    package init() {}

    package func promote(_ template: PromptTemplate, arm name: String, fileText: String? = nil,
                        file: String = "template file") throws(ExperimentError) -> Promotion {
        guard let experiment = template.experiment else { throw .notAnExperiment(template: template.name) }
        guard let arm = experiment.arm(named: name) else {
            throw .unknownArm(template: template.name, arm: name, known: experiment.armNames)
        }
        var promoted = template.applying(arm: arm)
        promoted.experiment = nil
        let used = Set(promoted.referencedPlaceholders)
        let dropped = Set(promoted.placeholders.keys).subtracting(used)
        promoted.placeholders = promoted.placeholders.filter { used.contains($0.key) }

        var promotion = Promotion(arm: name, previousVersion: template.version, template: promoted, fileText: nil)
        guard let fileText else { return promotion }
        do {
            var editor = try TemplateFileEditor(file: file, text: fileText, template: template.name)
            editor.setString("prompt", to: arm.prompt, insertingAfter: "name")
            if let negative = arm.negativePrompt {
                editor.setString("negative_prompt", to: negative, insertingAfter: "prompt")
            }
            editor.removeMember("experiment")
            editor.removeMembers(dropped, ofObject: "placeholders")
            let edited = editor.apply()
            try verify(edited, file: file, expected: promoted)
            promotion.fileText = edited
        } catch {
            throw .edit(error)
        }
        return promotion
    }

    /// Refuses to promote while any arm has fewer than `minimumPerArm` scored outcomes: at 3 samples
    /// per arm the "leader" is noise, and promotion rewrites the template for good.
    package func checkSample(_ report: ExperimentReport, minimumPerArm: Int) throws(ExperimentError) {
        guard report.arms.contains(where: { $0.count < minimumPerArm }) else { return }
        throw .sampleTooSmall(template: report.template, arms: report.arms.map(\.arm), counts: report.arms.map(\.count),
                              minimum: minimumPerArm)
    }

    private func verify(_ text: String, file: String, expected: PromptTemplate) throws(TemplateEditError) {
        let reloaded = TemplateLibrary.load(texts: [file: text])
        guard let template = reloaded.template(named: expected.name) else {
            let reason = reloaded.problems.first { $0.severity == .error }?.description ?? "the template no longer loads"
            throw .editDidNotApply(file: file, template: expected.name, reason: reason)
        }
        guard template == expected else {
            throw .editDidNotApply(file: file, template: expected.name, reason: "the reloaded template differs")
        }
    }
}
