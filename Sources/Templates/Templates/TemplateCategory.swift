/// A category as declared by its file: the unit of storage (`content/<category>/…`) and of policy.
public struct TemplateCategory: Codable, Sendable, Hashable, Identifiable {
    public var name: String
    /// Adult categories are only generated where the content policy allows adult content.
    public var adult: Bool
    public var description: String?
    /// The file that declares it.
    public var file: String
    public var templateNames: [String]

    public var id: String { name }

    public init(name: String, adult: Bool, description: String?, file: String, templateNames: [String]) {
        self.name = name
        self.adult = adult
        self.description = description
        self.file = file
        self.templateNames = templateNames
    }
}
