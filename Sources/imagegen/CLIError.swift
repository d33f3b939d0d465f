import Host

/// Exit codes mean something (documented in the README):
/// 0 success · 1 failure · 2 invalid input or usage · 3 budget or quota refusal ·
/// 4 provider failure · 5 content filtered or refused by the content policy.
enum ExitCode: Int32 {
    case success = 0
    case failure = 1
    case invalidInput = 2
    case budget = 3
    case provider = 4
    case contentFiltered = 5
}

/// An error the CLI prints on stderr with the exit code it maps to.
enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    case failed(String, ExitCode)

    var description: String {
        switch self {
        case .usage(let m): return m
        case .failed(let m, _): return m
        }
    }

    var exitCode: ExitCode {
        switch self {
        case .usage: return .invalidInput
        case .failed(_, let c): return c
        }
    }
}
