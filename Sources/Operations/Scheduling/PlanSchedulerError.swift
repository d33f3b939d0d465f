/// Why `PlanScheduler.runNow` refused or failed.
public enum PlanSchedulerError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownSlot(String)
    case invalidRequestID(String)
    case store(String)

    public var description: String {
        switch self {
        case let .unknownSlot(id):
            return "no slot '\(id)' in the plan; `imagegen plan` lists the slot ids"
        case let .invalidRequestID(id):
            return "request id '\(id)' is not usable; use letters, digits, '-', '_' or '.'"
        case let .store(message):
            return "the slot-run store failed (\(message)); check the catalog and retry"
        }
    }
}
