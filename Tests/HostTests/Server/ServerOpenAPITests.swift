import Foundation
import ImagegenJSON
import XCTest
@testable import Host
@testable import Server

/// docs/openapi.json against the running server: every documented operation exists and
/// answers with a documented status, every route the server has is documented, and the
/// bodies have the documented required fields and types.
final class ServerOpenAPITests: XCTestCase {
    /// Checks a JSON value against an OpenAPI 3.0 schema: types, nullable, required, properties,
    /// items, enum, allOf and $ref. Enough to catch a missing or renamed field.
    struct SchemaCheck {
        let document: JSONValue

        func resolve(_ schema: JSONValue) -> JSONValue {
            guard let ref = schema["$ref"]?.string else { return schema }
            let name = String(ref.split(separator: "/").last ?? "")
            return resolve(document["components"]?["schemas"]?[name] ?? .null)
        }

        func problems(_ value: JSONValue, _ raw: JSONValue, at path: String = "$") -> [String] {
            let schema = resolve(raw)
            if let all = schema["allOf"]?.array {
                let nullable = schema["nullable"]?.bool ?? false
                if nullable && value.isNull { return [] }
                return all.flatMap { problems(value, $0, at: path) }
            }
            if value.isNull {
                return schema["nullable"]?.bool == true || schema["type"] == nil ? [] : ["\(path): null but not nullable"]
            }
            var out: [String] = []
            switch schema["type"]?.string {
            case "object":
                guard let object = value.object else { return ["\(path): expected an object"] }
                for key in schema["required"]?.array?.compactMap(\.string) ?? [] where object[key] == nil {
                    out.append("\(path): missing required field \(key)")
                }
                for (key, sub) in schema["properties"]?.object ?? [:] {
                    if let v = object[key] { out += problems(v, sub, at: "\(path).\(key)") }
                }
            case "array":
                guard let items = value.array else { return ["\(path): expected an array"] }
                if let sub = schema["items"] { for (i, v) in items.prefix(5).enumerated() { out += problems(v, sub, at: "\(path)[\(i)]") } }
            case "string":
                guard let s = value.string else { return ["\(path): expected a string"] }
                if let allowed = schema["enum"]?.array?.compactMap(\.string), !allowed.contains(s) {
                    out.append("\(path): \(s) is not one of \(allowed)")
                }
            case "integer":
                if value.int == nil { out.append("\(path): expected an integer") }
            case "number":
                if value.number == nil { out.append("\(path): expected a number") }
            case "boolean":
                if value.bool == nil { out.append("\(path): expected a boolean") }
            default:
                break
            }
            return out
        }
    }

    func testTheDocumentMatchesTheServer() async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestEnvironment.repositoryRoot + "/docs/openapi.json"))
        let document = try XCTUnwrap(JSONValue.parse(Array(data)), "docs/openapi.json is JSON")
        XCTAssertEqual(document["openapi"]?.string?.hasPrefix("3.0"), true)
        let paths = try XCTUnwrap(document["paths"]?.object)
        var documented: Set<String> = []
        for (path, item) in paths {
            for method in item.object?.keys ?? [:].keys where ["get", "post", "put", "delete", "patch"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let served = Set(ServerAPI.routes.map { "\($0.0.rawValue) \($0.1)" })
        XCTAssertEqual(documented.subtracting(served), [], "documented but not served")
        XCTAssertEqual(served.subtracting(documented), [], "served but not documented")

        let h = try await ServerTestHarness(label: "srv-openapi")
        defer { Task { await h.stop() } }
        let check = SchemaCheck(document: document)
        // The documented example request is accepted as it is.
        let example = try XCTUnwrap(document["components"]?["schemas"]?["GenerationRequest"]?["example"])
        let created = try await h.client.send("POST", "/v1/generations", json: example)
        XCTAssertEqual(created.status, 200, created.text)
        let jobID = try XCTUnwrap(created.json?["jobs"]?[0]?["id"]?.string)
        let imageID = try XCTUnwrap(created.json?["images"]?[0]?["image_id"]?.string)

        var checked = 0
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            for (method, operation) in (item.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                let responses = operation["responses"]?.object ?? [:]
                var targets = [path.replacingOccurrences(of: "{id}", with: path.contains("images") ? imageID : jobID)
                    .replacingOccurrences(of: "{name}", with: "nobody")]
                if path.contains("{id}") { targets.append(path.replacingOccurrences(of: "{id}", with: "missing")) }
                // The event stream waits for news by default; answer at once here.
                if path == "/v1/events" { targets = ["/v1/events?wait=0"] }
                for target in targets {
                    // (JSONValue is nil-literal-convertible: spell out "no body".)
                    let body: JSONValue? = method == "post" && path == "/v1/generations" ? example : Optional<JSONValue>.none
                    let r = try await h.client.send(method.uppercased(), target, json: body)
                    checked += 1
                    let status = String(r.status)
                    XCTAssertNotNil(responses[status], "\(method.uppercased()) \(target) answered \(status), not documented: \(r.text.prefix(200))")
                    guard let documentedResponse = responses[status] else { continue }
                    var response = documentedResponse
                    if let ref = response["$ref"]?.string {
                        response = document["components"]?["responses"]?[String(ref.split(separator: "/").last ?? "")] ?? .null
                    }
                    let content = response["content"]?.object ?? [:]
                    if let contentType = r.headers["content-type"], !content.isEmpty {
                        let base = String(contentType.split(separator: ";")[0])
                        XCTAssertNotNil(content[base], "\(method) \(target): content type \(contentType) not documented")
                        if base == "application/json", let schema = content[base]?["schema"] {
                            let json = try XCTUnwrap(r.json, "\(method) \(target): body is JSON")
                            XCTAssertEqual(check.problems(json, schema), [], "\(method.uppercased()) \(target) \(status)")
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 16)
        await h.stop()
    }
}
