/// The first place where a text stops being JSON5, and what was expected there.
struct JSON5SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Scalar offset of the offending character (or the end of the text).
    let offset: Int
    let message: String

    var description: String { message }
}
