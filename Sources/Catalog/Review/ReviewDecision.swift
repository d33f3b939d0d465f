/// What a reviewer decides about an image: approve, or reject with a reason.
public enum ReviewDecision: Sendable, Equatable {
    case approve
    case reject(reason: String)

    public var state: ReviewState {
        switch self {
        case .approve: return .approved
        case .reject: return .rejected
        }
    }

    public var reason: String? {
        if case .reject(let reason) = self { return reason }
        return nil
    }
}
