/// Why the template folder as a whole could not be read (problems in single files are `TemplateProblem`s).
public enum TemplateLibraryError: Error, Sendable, Hashable, CustomStringConvertible {
    case folderUnreadable(path: String, reason: String)
    case defaultsNotWritten(path: String, reason: String)

    public var description: String {
        switch self {
        case .folderUnreadable(let path, let reason):
            return "cannot list the templates folder \(path): \(reason); check that it exists and is readable, or set another templates folder in the config"
        case .defaultsNotWritten(let path, let reason):
            return "cannot write the default template file \(path): \(reason); check the folder's permissions"
        }
    }
}
