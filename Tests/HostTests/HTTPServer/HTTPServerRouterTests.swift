import Foundation
import XCTest
@testable import Host
@testable import HTTPServer

/// Routing by method and path pattern: parameters, 404, 405 + Allow, HEAD fallback.
final class HTTPServerRouterTests: XCTestCase {
    private func makeRouter() -> HTTPRouter {
        var router = HTTPRouter()
        router.get("/v1/jobs/{id}") { request in .text("get \(request.pathParameter("id") ?? "-")") }
        router.delete("/v1/jobs/{id}") { request in .text("delete \(request.pathParameter("id") ?? "-")") }
        router.get("/v1/images/{id}/file") { request in .text("file \(request.pathParameter("id") ?? "-")") }
        router.post("/v1/generations") { _ in .text("generate") }
        router.get("/healthz") { _ in .text("ok") }
        return router
    }

    private func route(_ method: HTTPMethod, _ target: String) async -> HTTPResponse {
        await makeRouter().route(HTTPRequest(method: method, target: target))
    }

    private func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    private func errorCode(_ response: HTTPResponse) -> String? {
        (try? JSONDecoder().decode(HTTPErrorBody.self, from: Data(response.body)))?.error.code
    }

    func testMatchesMethodAndCapturesParameters() async {
        let get = await route(.get, "/v1/jobs/42")
        XCTAssertEqual(text(get), "get 42")
        let delete = await route(.delete, "/v1/jobs/42")
        XCTAssertEqual(text(delete), "delete 42")
        let file = await route(.get, "/v1/images/img-1/file?download=1")
        XCTAssertEqual(text(file), "file img-1")
    }

    func testParametersArePercentDecoded() async {
        let response = await route(.get, "/v1/jobs/a%2Fb%20c")
        XCTAssertEqual(text(response), "get a/b c")
        let malformed = await route(.get, "/v1/jobs/%zz")
        XCTAssertEqual(malformed.status, .badRequest)
    }

    func testUnknownPathsAre404() async {
        for target in ["/v1/jobs", "/v1/jobs/", "/v1/jobs/1/extra", "/healthz/", "/", "/v2/jobs/1"] {
            let response = await route(.get, target)
            XCTAssertEqual(response.status, .notFound, target)
            XCTAssertEqual(errorCode(response), "not_found", target)
        }
    }

    func testWrongMethodIs405WithAllow() async {
        let response = await route(.post, "/v1/jobs/7")
        XCTAssertEqual(response.status, .methodNotAllowed)
        XCTAssertEqual(response.headers["Allow"], "DELETE, GET, HEAD")
        XCTAssertEqual(errorCode(response), "method_not_allowed")
        let onPost = await route(.get, "/v1/generations")
        XCTAssertEqual(onPost.headers["Allow"], "POST")
    }

    func testHeadFallsBackToGet() async {
        let response = await route(.head, "/healthz")
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(text(response), "ok")
        let noGet = await route(.head, "/v1/generations")
        XCTAssertEqual(noGet.status, .methodNotAllowed)
    }

    func testQueryItemsAreDecoded() {
        let request = HTTPRequest(method: .get, target: "/v1/images?tag=cat&tag=dog&since=2024-01-01T00%3A00%3A00%2B00%3A00&q=a+b&flag")
        XCTAssertEqual(request.path, "/v1/images")
        XCTAssertEqual(request.queryValues("tag"), ["cat", "dog"])
        XCTAssertEqual(request.query("since"), "2024-01-01T00:00:00+00:00")
        XCTAssertEqual(request.query("q"), "a b")
        XCTAssertEqual(request.query("flag"), "")
        XCTAssertNil(request.query("missing"))
    }
}
