/// A job's life: queued → submitting → submitted → running → succeeded | failed | cancelled |
/// content_filtered. `submitting` is the committed intent to call the provider: a job found in
/// it after a crash may or may not have reached the provider.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued, submitting, submitted, running, succeeded, failed, cancelled
    case contentFiltered = "content_filtered"

    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled, .contentFiltered: return true
        default: return false
        }
    }

    /// States that hold a budget reservation.
    public static let active: [JobState] = [.queued, .submitting, .submitted, .running]
}
