/// What a person may do, each role including the ones below it:
///
/// | role | may |
/// |---|---|
/// | `viewer` | browse images, jobs, money and operations (no prompts) |
/// | `reviewer` | + read prompts, rate, approve, reject, tag, reserve |
/// | `operator` | + generate and spend, cancel, post-process, change plans and budgets, reload plugins |
/// | `admin` | + manage users, mark users as verified adults |
///
/// Prompts are readable from `reviewer` up: judging an image means knowing what was asked for.
public enum UserRole: String, Sendable, Codable, CaseIterable, Comparable {
    case viewer, reviewer, `operator`, admin

    var rank: Int {
        switch self {
        case .viewer: return 0
        case .reviewer: return 1
        case .operator: return 2
        case .admin: return 3
        }
    }

    public static func < (lhs: UserRole, rhs: UserRole) -> Bool { lhs.rank < rhs.rank }
}
