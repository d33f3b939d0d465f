import Foundation
import ImagegenJSON
import XCTest
@testable import Host

/// The endpoints the web app's pages read, on a real server: thumbnails with ETag and
/// Cache-Control, editable tags (catalog and sidecar), version chains, templates without their
/// prompts, experiments, the plan, alerts, uploads — and the app itself at `/`.
final class WebAppEndpointTests: XCTestCase {
    func testThePagesEndpointsOnARealServer() async throws {
        let h = try await ServerTestHarness(label: "srv-webapp")
        defer { Task { await h.stop() } }
        let r = try await h.client.generate(["prompt": "a wooden chair", "parameters": ["width": 64, "height": 64],
                                             "variations": 1, "category": "product", "wait": 30, "tags": ["chair"]])
        XCTAssertEqual(r.status, 200, r.text)
        let id = try XCTUnwrap(r.json?["images"]?[0]?["image_id"]?.string)

        let app = try await h.client.get("/")
        XCTAssertEqual(app.status, 200)
        XCTAssertTrue(app.text.contains("<script type=\"module\" src=\"/app/app.js\"></script>"))
        XCTAssertTrue(app.headers["content-security-policy"]?.contains("script-src 'self'") ?? false)

        // The thumbnail: the 256 px derivative once rendered (in the background after the job).
        try await h.eventually(30, "the thumbnail derivative is rendered") {
            let d = try await h.client.get("/v1/images/\(id)")
            return d.json?["derivatives"]?.array?.contains { $0["variant"]?.string == "thumbnail" } ?? false
        }
        let details = try await h.client.get("/v1/images/\(id)")
        let thumbnails = details.json?["derivatives"]?.array?.filter { $0["variant"]?.string == "thumbnail" } ?? []
        let thumb = try await h.client.get("/v1/images/\(id)/thumbnail")
        XCTAssertEqual(thumb.status, 200)
        // One thumbnail per enabled format: the one served is a format every browser shows.
        var served: JSONValue?
        for candidate in thumbnails {
            let record = try await h.client.get("/v1/images/\(candidate["image_id"]!.string!)")
            if let sha = record.json?["content_sha256"]?.string, thumb.headers["etag"] == "\"\(sha)\"" { served = record.json }
        }
        let thumbnail = try XCTUnwrap(served, "the thumbnail's ETag is one of the thumbnail derivatives' hashes")
        XCTAssertTrue(["image/webp", "image/jpeg", "image/png"].contains(thumbnail["mime"]?.string ?? ""), "\(thumbnail)")
        XCTAssertEqual(thumb.headers["cache-control"], "private, no-cache",
                       "the address served the original before the thumbnail existed: browsers must revalidate, not keep it a year")
        let original = try await h.client.get("/v1/images/\(id)/file")
        XCTAssertNotEqual(thumb.body, original.body, "the thumbnail, not the original")
        let again = try await h.client.send("GET", "/v1/images/\(id)/thumbnail", headers: ["If-None-Match": thumb.headers["etag"]!])
        XCTAssertEqual(again.status, 304)
        let missing = try await h.client.get("/v1/images/img_nope/thumbnail")
        XCTAssertEqual(missing.status, 404)

        // Tags: trimmed, deduplicated, in the catalog (filters see them) and in the sidecar.
        let tagged = try await h.client.send("POST", "/v1/images/\(id)/tags", json: ["tags": [" oak ", "oak", "<b>bold</b>"]])
        XCTAssertEqual(tagged.status, 200, tagged.text)
        XCTAssertEqual(tagged.json?["tags"]?.array?.compactMap(\.string), ["oak", "<b>bold</b>"])
        let byTag = try await h.client.get("/v1/images?tag=oak")
        XCTAssertEqual(byTag.json?["images"]?.array?.compactMap { $0["image_id"]?.string }, [id])
        let filePath = try XCTUnwrap(details.json?["file_path"]?.string)
        let sidecar = try Data(contentsOf: URL(fileURLWithPath: h.host.paths.data + "/" + (filePath as NSString).deletingPathExtension + ".json"))
        XCTAssertEqual(JSONValue.parse(Array(sidecar))?["tags"]?.array?.compactMap(\.string), ["oak", "<b>bold</b>"])
        let tooLong = try await h.client.send("POST", "/v1/images/\(id)/tags", json: ["tags": [.string(String(repeating: "x", count: 65))]])
        XCTAssertEqual(tooLong.status, 400)
        let onDerivative = try await h.client.send("POST", "/v1/images/\(thumbnail["image_id"]!.string!)/tags", json: ["tags": ["x"]])
        XCTAssertEqual(onDerivative.status, 400)

        let versions = try await h.client.get("/v1/images/\(id)/versions")
        XCTAssertEqual(versions.status, 200, versions.text)
        XCTAssertTrue(versions.json?["versions"]?.array?.contains { $0["image_id"]?.string == id } ?? false)

        let templates = try await h.client.get("/v1/templates")
        XCTAssertEqual(templates.status, 200)
        let packshot = try XCTUnwrap(templates.json?["templates"]?.array?.first { $0["name"]?.string == "product_packshot" })
        XCTAssertEqual(packshot["category"]?.string, "product")
        XCTAssertNil(packshot["prompt"], "template prompts are not listed")
        XCTAssertTrue(templates.json?["templates"]?.array?.contains { $0["adult"]?.bool == true } ?? false)

        let experiments = try await h.client.get("/v1/experiments")
        XCTAssertEqual(experiments.status, 200, experiments.text)
        XCTAssertNotNil(experiments.json?["experiments"]?.array)
        let unknownPromotion = try await h.client.send("POST", "/v1/experiments/nope/promote", json: ["arm": "a"])
        XCTAssertEqual(unknownPromotion.status, 404)

        let plan = try await h.client.get("/v1/plan?days=7")
        XCTAssertEqual(plan.status, 200, plan.text)
        XCTAssertNotNil(plan.json?["upcoming"]?.array)
        XCTAssertNotNil(plan.json?["history"]?.array)
        let badDays = try await h.client.get("/v1/plan?days=99")
        XCTAssertEqual(badDays.status, 400)

        let alerts = try await h.client.get("/v1/alerts")
        XCTAssertEqual(alerts.status, 200, alerts.text)
        let uploads = try await h.client.get("/v1/uploads")
        XCTAssertEqual(uploads.status, 200, uploads.text)
        XCTAssertEqual(uploads.json?["configured"]?.bool, false)
        await h.stop()
    }
}
