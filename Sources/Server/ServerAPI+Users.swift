import Foundation
import Catalog
import Crypto
import HTTPServer
import ImagegenCore
import Security

/// `GET /v1/users`, `POST /v1/users`, `POST /v1/users/{name}`: people, for admins. Every change
/// is audited under the admin who made it.
extension ServerAPI {
    struct UsersBody: Encodable { var users: [UserAccount] }
    struct NewUserRequest: Decodable { var name: String; var role: String; var password: String }
    struct UserChangeRequest: Decodable {
        var role: String?
        var disabled: Bool?
        var adultVerified: Bool?
        var password: String?
        enum CodingKeys: String, CodingKey { case role, disabled, password, adultVerified = "adult_verified" }
    }

    func listUsers(_ request: HTTPRequest) async -> HTTPResponse {
        await answer { APIEncoding.json(UsersBody(users: try catalog.users())) }
    }

    func addUser(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let body = try request.decodeJSON(NewUserRequest.self)
            let role = try ServerAPI.role(body.role)
            let hash = try await ServerAPI.hashPassword(body.password)
            let account = try catalog.addUser(name: body.name, role: role, passwordHash: hash, now: service.clock())
            runtime.security.audit.record(.userChange, subject: account.name, details: ["change": "added", "role": role.rawValue])
            return APIEncoding.json(account, status: .created)
        }
    }

    func changeUser(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let name = request.pathParameter("name") ?? ""
            let body = try request.decodeJSON(UserChangeRequest.self)
            let now = service.clock()
            let audit = runtime.security.audit
            guard var account = try catalog.user(named: name) else { throw UserError.unknown(name) }
            if let text = body.role {
                account = try catalog.setRole(try ServerAPI.role(text), user: name, now: now)
                audit.record(.userChange, subject: name, details: ["change": "role", "role": account.role.rawValue])
            }
            if let disabled = body.disabled {
                account = try catalog.setDisabled(disabled, user: name, now: now)
                audit.record(.userChange, subject: name, details: ["change": disabled ? "disabled" : "enabled"])
            }
            if let verified = body.adultVerified {
                account = try catalog.setAdultVerified(verified, user: name, by: Caller.effective.principal, now: now)
                audit.record(.adultVerification, subject: name, details: ["verified": String(verified)])
            }
            if let password = body.password {
                try catalog.setPasswordHash(ofUser: name, to: try await ServerAPI.hashPassword(password), now: now)
                audit.record(.userChange, subject: name, details: ["change": "password"])
                account = try catalog.user(named: name) ?? account
            }
            return APIEncoding.json(account)
        }
    }

    static func role(_ text: String) throws -> UserRole {
        guard let role = UserRole(rawValue: text) else {
            throw APIError.invalidRequest("role must be one of \(UserRole.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text.prefix(40))\"")
        }
        return role
    }

    /// Checks and hashes a new password off the cooperative pool (Argon2id takes ~0.1 s and 64 MiB).
    static func hashPassword(_ password: String) async throws -> String {
        if let problem = PasswordRules.problem(password) { throw UserError.weakPassword(problem) }
        guard let hash = try await BlockingWork.run({ PasswordHash.hash(password) }) else {
            throw APIError(.internalServerError, "internal", "the password could not be hashed (out of memory?)")
        }
        return hash
    }
}
