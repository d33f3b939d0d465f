import Catalog
/// A change in an alert's state, produced once per change: what the sinks are told about.
public enum AlertTransition: Sendable, Hashable {
    case fired(Alert)
    case resolved(Alert)

    public var alert: Alert {
        switch self {
        case let .fired(a), let .resolved(a): return a
        }
    }
}
