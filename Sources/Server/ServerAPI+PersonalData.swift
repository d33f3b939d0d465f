import Foundation
import HTTPServer
import Operations

/// `GET /v1/users/{name}/export` and `POST /v1/erasures` (admins): a person's data as JSON, and
/// its erasure (`PersonalDataService`). The erasure names the user in its body, `{"user": NAME,
/// "confirm": NAME}`, not in its path: the API-call entry the server audits after answering would
/// otherwise put the name back into the log just rewritten.
extension ServerAPI {
    struct EraseRequest: Decodable { var user: String; var confirm: String }

    func exportUser(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let name = request.pathParameter("name") ?? ""
            return APIEncoding.json(try PersonalDataService(catalog: catalog, audit: runtime.security.audit).export(user: name, now: service.clock()))
        }
    }

    func eraseUser(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let body = try request.decodeJSON(EraseRequest.self)
            let name = body.user
            guard body.confirm == name else {
                throw APIError.invalidRequest("erasure cannot be undone: send {\"user\": NAME, \"confirm\": NAME} with the same name twice")
            }
            return APIEncoding.json(try PersonalDataService(catalog: catalog, audit: runtime.security.audit).erase(user: name, now: service.clock()))
        }
    }
}
