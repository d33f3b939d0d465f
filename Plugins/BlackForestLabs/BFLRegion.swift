/// BFL's API endpoints. The global one routes to whichever cluster has capacity; the EU one
/// keeps requests and results in the EU (GDPR), the US one in the US. A task must be polled
/// through the `polling_url` its submit returned, whichever endpoint it was sent to.
enum BFLRegion: String, CaseIterable {
    case global, eu, us

    var baseURL: String {
        switch self {
        case .global: return "https://api.bfl.ai"
        case .eu: return "https://api.eu.bfl.ai"
        case .us: return "https://api.us.bfl.ai"
        }
    }
}
