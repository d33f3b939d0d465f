/// Why an evaluation could not record its result.
public enum AlertEngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case store(String)

    public var description: String {
        switch self {
        case let .store(message):
            return "the alert store failed (\(message)); alerts are re-evaluated on the next pass once the catalog is writable"
        }
    }
}
