import ImagegenCore

extension ExitCode {
    /// The exit code of a meaning, from `ErrorMeaning.exitCode`: the same table that gives the
    /// API its statuses, so a refusal exits with the code the README documents.
    init(_ meaning: ErrorMeaning) {
        self = ExitCode(rawValue: meaning.exitCode) ?? .failure
    }
}

extension CLIError {
    /// What the CLI prints and exits with for an error a library call threw. A `CLIError` is
    /// already an answer; an error that knows its meaning (`MeaningfulError`, conformed beside
    /// each domain error type) exits with that meaning's code; anything else is a plain
    /// failure (exit 1) with the error's own description.
    static func from(_ error: any Error) -> CLIError {
        if let e = error as? CLIError { return e }
        if let e = error as? any MeaningfulError { return .failed(e.description, ExitCode(e.meaning)) }
        return .failed("\(error)", .failure)
    }
}
