/// Why a plugin file was not loaded. Every message names the file; the host goes on with the
/// other plugins.
public enum PluginRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case notELF(file: String)
    case incompleteELF(file: String, detail: String)
    case dlopenFailed(file: String, reason: String)
    case noEntrySymbol(file: String)
    case entryReturnedNull(file: String)
    case wrongMajor(file: String, found: Int, expected: Int)
    case tableTooSmall(file: String, size: Int, minimum: Int)
    case missingFunction(file: String, name: String)
    case describeFailed(file: String, message: String)
    case invalidDescription(file: String, reason: String)
    case duplicateID(file: String, id: String, otherFile: String)
    /// Isolated: the plugin runner refused it (the text names the file and the reason).
    case refusedInRunner(file: String, text: String)
    /// Isolated: the runner died or hung while loading it (entry or describe crashed).
    case crashedWhileLoading(file: String, detail: String)

    public var file: String {
        switch self {
        case .unreadable(let f, _), .notELF(let f), .incompleteELF(let f, _), .dlopenFailed(let f, _), .noEntrySymbol(let f),
             .entryReturnedNull(let f), .wrongMajor(let f, _, _), .tableTooSmall(let f, _, _),
             .missingFunction(let f, _), .describeFailed(let f, _), .invalidDescription(let f, _),
             .duplicateID(let f, _, _), .refusedInRunner(let f, _), .crashedWhileLoading(let f, _):
            return f
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let f, let r):
            return "\(f): cannot read the file (\(r))"
        case .notELF(let f):
            return "\(f): not an ELF shared object; build the plugin as a .so (swift build, or cc -shared -fPIC)"
        case .incompleteELF(let f, let d):
            return "\(f): the file is incomplete or truncated (\(d)); copy it again (a copy in progress loads once it is complete)"
        case .dlopenFailed(let f, let r):
            return "\(f): the dynamic loader refused it: \(r)"
        case .noEntrySymbol(let f):
            return "\(f): no entry symbol imagegen_plugin_entry_v1; export it (IMAGEGEN_EXPORT in C, @_cdecl in Swift)"
        case .entryReturnedNull(let f):
            return "\(f): imagegen_plugin_entry_v1 returned NULL (the plugin refused to load; see its log lines)"
        case .wrongMajor(let f, let found, let expected):
            return "\(f): built for plugin ABI major \(found), this host speaks major \(expected); rebuild it against imagegen_plugin.h \(expected).x"
        case .tableTooSmall(let f, let size, let minimum):
            return "\(f): its function table is \(size) bytes, smaller than ABI 1.0's \(minimum); it was built against a broken header"
        case .missingFunction(let f, let name):
            return "\(f): required function \(name) is NULL in its table"
        case .describeFailed(let f, let m):
            return "\(f): describe failed: \(m)"
        case .invalidDescription(let f, let r):
            return "\(f): invalid describe JSON: \(r)"
        case .duplicateID(let f, let id, let other):
            return "\(f): plugin id \"\(id)\" is already loaded from \(other); remove one of the two files"
        case .refusedInRunner(_, let text):
            return text
        case .crashedWhileLoading(let f, let d):
            return "\(f): the plugin crashed while loading (\(d)); the host is unharmed. Fix the plugin's entry or describe, then replace the file"
        }
    }
}
