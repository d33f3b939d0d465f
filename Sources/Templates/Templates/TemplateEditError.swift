/// Why a template file could not be edited in place.
package enum TemplateEditError: Error, Sendable, Hashable, CustomStringConvertible {
    case unparsable(file: String, problem: String)
    case templateNotFound(file: String, template: String)
    case editDidNotApply(file: String, template: String, reason: String)

    package var description: String {
        switch self {
        case .unparsable(let file, let problem):
            return "cannot edit \(file): it does not parse (\(problem)); fix it first (imagegen templates check)"
        case .templateNotFound(let file, let template):
            return "cannot edit \(file): it has no template named '\(template)'; was the file changed meanwhile? reload and retry"
        case .editDidNotApply(let file, let template, let reason):
            return "editing template '\(template)' in \(file) did not give the expected result (\(reason)); the file was not changed, edit it by hand"
        }
    }
}
