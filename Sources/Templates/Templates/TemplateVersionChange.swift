/// How a template's version differs from the one recorded earlier (e.g. in the catalog).
public enum TemplateVersionChange: Hashable, Sendable, Codable {
    /// A template that was not known before.
    case added(name: String, version: TemplateVersion)
    /// The file was edited: new images will record `to`.
    case changed(name: String, from: TemplateVersion, to: TemplateVersion)
    /// A known template no longer loads (deleted, renamed, or now has an error).
    case removed(name: String, lastVersion: TemplateVersion)

    public var templateName: String {
        switch self {
        case .added(let name, _), .changed(let name, _, _), .removed(let name, _): return name
        }
    }
}
