/// The first place where a text stops being JSON5, and what was expected there.
package struct JSON5SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Scalar offset of the offending character (or the end of the text).
    package let offset: Int
    package let message: String

    package var description: String { message }
}
