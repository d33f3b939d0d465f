import DurableFiles
/// Why the secrets could not be loaded. Messages name the file and line, never a value.
package enum SecretStoreError: Error, CustomStringConvertible, Equatable {
    case file(ProtectedFileError)
    case malformedLine(path: String, line: Int, reason: String)
    case malformedJSON(path: String, reason: String)
    case duplicateName(path: String, name: String)

    package var description: String {
        switch self {
        case .file(let error):
            return error.description
        case .malformedLine(let path, let line, let reason):
            return "line \(line) of the secrets file \(path) \(reason); lines must read NAME=value (or be empty or start with #)"
        case .malformedJSON(let path, let reason):
            return "the secrets file \(path) is not a JSON object of string values: \(reason)"
        case .duplicateName(let path, let name):
            return "the secrets file \(path) defines \(name) twice; keep one"
        }
    }
}
