/// The raw shape of a category file, as Foundation's JSON5 decoder reads it, before validation.
///
/// Optional fields stay optional here; `TemplateValidator` applies defaults and checks values, with the
/// outline giving every problem its position. Each template decodes into its own `TemplateSlot`, so a
/// type error in one template does not lose the others in the same file.
struct TemplateFileDocument: Decodable {
    var category: String
    var adult: Bool
    var description: String?
    var defaults: TemplateDefaultsDraft?
    var templates: [TemplateSlot]

    /// Keys a category file may have, for unknown-key warnings.
    static let knownKeys = ["category", "adult", "description", "defaults", "templates"]
}

/// Values every template of the file inherits unless it sets its own.
struct TemplateDefaultsDraft: Decodable {
    var negativePrompt: String?
    var parameters: TemplateParametersDraft?
    var model: String?
    var placeholders: [String: [String]]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case negativePrompt = "negative_prompt"
        case parameters, model, placeholders
    }
}

struct TemplateParametersDraft: Decodable {
    var width: Int?
    var height: Int?
    var steps: Int?
    var guidanceScale: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case width, height, steps
        case guidanceScale = "guidance_scale"
    }
}

struct TemplateDraft: Decodable {
    var name: String
    var prompt: String
    var negativePrompt: String?
    var parameters: TemplateParametersDraft?
    var model: String?
    var tags: [String]?
    var placeholders: [String: [String]]?
    var experiment: ExperimentDraft?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, prompt
        case negativePrompt = "negative_prompt"
        case parameters, model, tags, placeholders, experiment
    }
}

struct ExperimentDraft: Decodable {
    var arms: [ExperimentArm]

    static let knownKeys = ["arms"]
    static let armKeys = ["name", "prompt", "negative_prompt"]
}

/// One element of `templates`: the decoded draft, or the decoding error that stopped it.
struct TemplateSlot: Decodable {
    let result: Result<TemplateDraft, DecodingError>

    init(from decoder: any Decoder) throws {
        do {
            result = .success(try TemplateDraft(from: decoder))
        } catch let error as DecodingError {
            result = .failure(error)
        }
    }
}
