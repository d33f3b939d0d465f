/// The naming rule for categories, templates and experiment arms.
///
/// Names appear in file paths (`content/<category>/…`), CLI arguments and URLs, so they are restricted to
/// lowercase ASCII letters, digits, `_` and `-`, start with a letter or digit, and are at most 64 long.
public enum TemplateName {
    public static let maximumLength = 64

    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= maximumLength,
              isLowerAlphanumeric(first) else { return false }
        return name.unicodeScalars.allSatisfy { isLowerAlphanumeric($0) || $0 == "_" || $0 == "-" }
    }

    private static func isLowerAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
