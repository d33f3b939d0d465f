/// What a new password must be: at least 10 characters, at most 1024 bytes, not all one
/// character. Long passphrases beat composition rules (NIST SP 800-63B §5.1.1.2).
public enum PasswordRules {
    public static let minimumLength = 10

    /// Why `password` is refused, or nil.
    public static func problem(_ password: String) -> String? {
        if password.count < minimumLength { return "use at least \(minimumLength) characters (a few words make a good one)" }
        if password.utf8.count > 1024 { return "at most 1024 bytes" }
        if Set(password).count < 3 { return "use more than two different characters" }
        return nil
    }
}
