/// An error that knows what it means to a caller, like Hummingbird's `HTTPResponseError` knows
/// its status, but transport-neutral: the API turns `meaning` into a status and the CLI into an
/// exit code, so neither has to know every error type of every target.
///
/// Conformances live beside each error type (`TypeName+Meaning.swift`), where the person who
/// adds a case also decides what it means.
package protocol MeaningfulError: Error, CustomStringConvertible {
    /// What kind of failure this is; decides the HTTP status and the exit code.
    var meaning: ErrorMeaning { get }
    /// The stable machine-readable code the API returns (`invalid_request`, `quota_exceeded`, …).
    /// Named `errorCode` because several error types already have a `code` of their own.
    var errorCode: String { get }
    /// The sentence shown to the caller. Defaults to `description`; a type whose description is
    /// too low-level for a caller (a SQLite message) says what to do instead.
    var callerMessage: String { get }
}

extension MeaningfulError {
    package var callerMessage: String { description }
}
