import Foundation

/// The given names behind the real-person heuristic (`hard.real-person.named`): in an adult
/// category, "<given name> <surname>" in any letter case is taken for a real person.
///
/// Shipped as a data file, `share/policy/given-names.txt` (sources and date in its header),
/// compiled in as the default (`GivenNameList+Shipped.swift`, generated from it by
/// `scripts/embed-given-names.py`) and replaceable at start without a rebuild:
/// `policy.given_names_file`, or `<data folder>/policy/given-names.txt` when present.
public struct GivenNameList: Sendable, Equatable {
    /// Names counted in any letter case.
    let anyCase: Set<String>
    /// Names that are also everyday words (rose, may, mark): counted only when capitalised.
    let capitalisedOnly: Set<String>

    public var count: Int { anyCase.count + capitalisedOnly.count }

    /// Parses the file format: one name a line, `#` comments, a trailing `*` for names that are
    /// also everyday words. Names are folded like prompts.
    public init(text: String) {
        var anyCase = Set<String>(), capitalisedOnly = Set<String>()
        for var line in PolicyListLines.entries(text) {
            let ambiguous = line.hasSuffix("*")
            if ambiguous { line.removeLast() }
            let folded = PolicyTextNormalizer.fold(String(PolicyListLines.trimmingBlanks(line)))
            guard !folded.isEmpty, !folded.contains(" ") else { continue }
            if ambiguous { capitalisedOnly.insert(folded) } else { anyCase.insert(folded) }
        }
        self.anyCase = anyCase
        self.capitalisedOnly = capitalisedOnly.subtracting(anyCase)
    }

    /// Reads a replacement list; a file with no name in it is refused (it would turn the
    /// heuristic off silently).
    public static func load(path: String) throws -> GivenNameList {
        let list = GivenNameList(text: try String(contentsOfFile: path, encoding: .utf8))
        guard list.count > 0 else { throw GivenNameListError.empty(path) }
        return list
    }

    /// The list compiled into this build.
    public static let shipped = GivenNameList(text: shippedText)

    /// Whether a word (folded, and as written) is a given name here.
    func contains(folded: String, written: String) -> Bool {
        if anyCase.contains(folded) { return true }
        guard capitalisedOnly.contains(folded), let first = written.first else { return false }
        return first.isUppercase
    }

    /// Changes with the list, for the template-verdict memory.
    public var fingerprint: String {
        (anyCase.sorted() + ["*"] + capitalisedOnly.sorted()).joined(separator: ",")
    }
}

public enum GivenNameListError: Error, CustomStringConvertible {
    case empty(String)
    public var description: String {
        switch self {
        case .empty(let path): return "policy.given_names_file: \(path) holds no name; give one name a line"
        }
    }
}
