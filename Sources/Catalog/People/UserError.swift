import ImagegenCore

/// Why a change to the user accounts was refused.
public enum UserError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidName(String)
    case exists(String)
    case unknown(String)
    case weakPassword(String)
    case lastAdmin(String)

    public var description: String {
        switch self {
        case .invalidName(let n): return "user name \"\(n.prefix(64))\" must be 1…64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        case .exists(let n): return "user \(n) exists already; change its password with POST /v1/users/\(n) {\"password\": \"…\"}"
        case .unknown(let n): return "no user \(n.prefix(64)); list them with GET /v1/users"
        case .weakPassword(let why): return "password refused: \(why)"
        case .lastAdmin(let n): return "\(n) is the last enabled admin; add another admin first"
        }
    }
}

extension UserError: MeaningfulError {
    package var meaning: ErrorMeaning {
        switch self {
        case .invalidName, .weakPassword: return .invalidRequest
        case .exists, .lastAdmin: return .conflict
        case .unknown: return .notFound
        }
    }

    package var errorCode: String {
        switch self {
        case .invalidName, .weakPassword: return "invalid_request"
        case .exists: return "user_exists"
        case .lastAdmin: return "last_admin"
        case .unknown: return "not_found"
        }
    }
}
