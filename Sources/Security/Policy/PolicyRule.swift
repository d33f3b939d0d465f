/// A configurable rule: refuse prompts containing any of its terms, in all categories, only in
/// adult ones or only outside them. Terms are matched like the compiled vocabulary (folded,
/// leetspeak, spacing, plurals). Configuration may add, change or disable these; never the
/// hard blocks.
public struct PolicyRule: Codable, Sendable, Equatable {
    public enum Scope: String, Codable, Sendable {
        case all
        case adult
        case nonAdult = "non_adult"

        func applies(isAdultCategory: Bool) -> Bool {
            switch self {
            case .all: return true
            case .adult: return isAdultCategory
            case .nonAdult: return !isAdultCategory
            }
        }
    }

    public var id: String
    public var name: String
    public var terms: [String]
    public var appliesTo: Scope
    /// What the refusal tells the user; a generic sentence naming the rule when absent.
    public var message: String?
    /// Also look for the terms in the negative prompt.
    public var checkNegativePrompt: Bool

    public init(id: String, name: String, terms: [String], appliesTo: Scope = .all, message: String? = nil,
                checkNegativePrompt: Bool = false) {
        self.id = id
        self.name = name
        self.terms = terms
        self.appliesTo = appliesTo
        self.message = message
        self.checkNegativePrompt = checkNegativePrompt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, terms, message
        case appliesTo = "applies_to"
        case checkNegativePrompt = "check_negative_prompt"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        terms = try container.decode([String].self, forKey: .terms)
        appliesTo = try container.decodeIfPresent(Scope.self, forKey: .appliesTo) ?? .all
        message = try container.decodeIfPresent(String.self, forKey: .message)
        checkNegativePrompt = try container.decodeIfPresent(Bool.self, forKey: .checkNegativePrompt) ?? false
    }

    /// The built-in rule that keeps explicit content in adult categories. Data, not a hard
    /// block: an operator can disable it (`disabled_rules`).
    public static let explicitOutsideAdultID = "content.explicit-outside-adult"
    static let explicitOutsideAdultName = "Explicit content outside adult categories"
}
