import Foundation
import HTTPServer
import Operations

/// `GET /v1/users/{name}/export` and `POST /v1/users/{name}/erase` (admins): a person's data as
/// JSON, and its erasure (`PersonalDataService`). Erasure asks for `{"confirm": "<name>"}` so a
/// stray request cannot erase anyone.
extension ServerAPI {
    struct EraseRequest: Decodable { var confirm: String }

    func exportUser(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let name = request.pathParameter("name") ?? ""
            return APIEncoding.json(try PersonalDataService(catalog: catalog, audit: runtime.security.audit).export(user: name, now: service.clock()))
        }
    }

    func eraseUser(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            let name = request.pathParameter("name") ?? ""
            guard try request.decodeJSON(EraseRequest.self).confirm == name else {
                throw APIError.invalidRequest("erasure cannot be undone: send {\"confirm\": \"\(name.prefix(64))\"} to erase this user")
            }
            return APIEncoding.json(try PersonalDataService(catalog: catalog, audit: runtime.security.audit).erase(user: name, now: service.clock()))
        }
    }
}
