/// The command line, split into positionals, options with values and boolean flags.
///
/// Each command declares what it accepts, so a typo is an error that lists the valid
/// options rather than something silently ignored.
struct Arguments {
    var positionals: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []

    /// Options every command accepts.
    static let globalOptions: Set<String> = ["config", "plugins", "data"]
    static let globalFlags: Set<String> = ["json", "help", "verbose", "quiet"]

    init(_ tokens: [String], options allowed: Set<String>, flags allowedFlags: Set<String>) throws(CLIError) {
        let allOptions = allowed.union(Arguments.globalOptions)
        let allFlags = allowedFlags.union(Arguments.globalFlags)
        var i = 0
        while i < tokens.count {
            let t = tokens[i]
            if t == "--" {
                positionals += tokens[(i + 1)...]
                break
            }
            if t.hasPrefix("--") {
                var name = String(t.dropFirst(2))
                var value: String?
                if let eq = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if allFlags.contains(name) {
                    guard value == nil else { throw .usage("--\(name) takes no value") }
                    flags.insert(name)
                } else if allOptions.contains(name) {
                    if value == nil {
                        guard i + 1 < tokens.count else { throw .usage("--\(name) needs a value") }
                        i += 1
                        value = tokens[i]
                    }
                    options[name] = value
                } else {
                    let valid = (allOptions.map { "--\($0) VALUE" } + allFlags.map { "--\($0)" }).sorted()
                    throw .usage("unknown option --\(name). Valid here: \(valid.joined(separator: ", "))")
                }
            } else if t == "-h" {
                flags.insert("help")
            } else {
                positionals.append(t)
            }
            i += 1
        }
    }

    var json: Bool { flags.contains("json") }

    func string(_ name: String) -> String? { options[name] }

    func int(_ name: String) throws(CLIError) -> Int? {
        guard let v = options[name] else { return nil }
        guard let i = Int(v) else { throw .usage("--\(name) must be a whole number, got \"\(v)\"") }
        return i
    }

    func double(_ name: String) throws(CLIError) -> Double? {
        guard let v = options[name] else { return nil }
        guard let d = Double(v), d.isFinite else { throw .usage("--\(name) must be a number, got \"\(v)\"") }
        return d
    }
}
