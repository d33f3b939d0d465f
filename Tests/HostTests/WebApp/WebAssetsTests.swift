import Foundation
@testable import HTTPServer
@testable import WebApp
import XCTest

/// The web app's files as the binary serves them: exactly the files in share/webapp/ (the
/// generated Swift source cannot drift from them), with ETags, revalidation and the strict CSP,
/// and written so that the CSP holds and data is never parsed as HTML.
final class WebAssetsTests: XCTestCase {
    static let folder = TestEnvironment.repositoryRoot + "/share/webapp"

    func sourceFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: WebAssetsTests.folder).filter { !$0.hasPrefix(".") }.sorted()
    }

    func testEveryFileIsEmbeddedByteForByte() throws {
        let files = try sourceFiles()
        XCTAssertTrue(files.contains("index.html"))
        XCTAssertEqual(WebAssets.embedded.map(\.name).sorted(), files, "run python3 scripts/embed-webapp.py")
        for name in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: WebAssetsTests.folder + "/" + name)))
            XCTAssertEqual(WebAssets.asset(named: name)?.bytes, bytes, "\(name) differs from its embedded copy: run python3 scripts/embed-webapp.py")
        }
    }

    func serve(_ target: String, headers: HTTPHeaders = HTTPHeaders()) async -> HTTPResponse {
        var router = HTTPRouter()
        for route in WebAssets.routes { router.get(route.pattern, route.handler) }
        return await router.route(HTTPRequest(method: .get, target: target, headers: headers))
    }

    func testTheRootIsTheAppWithAnETagAndAStrictPolicy() async throws {
        let root = await serve("/")
        XCTAssertEqual(root.status, .ok)
        XCTAssertEqual(root.headers["Content-Type"], "text/html; charset=utf-8")
        XCTAssertEqual(root.body, WebAssets.asset(named: "index.html")?.bytes)
        let etag = try XCTUnwrap(root.headers["ETag"])
        XCTAssertEqual(root.headers["Cache-Control"], "no-cache")
        let csp = try XCTUnwrap(root.headers["Content-Security-Policy"])
        XCTAssertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), csp)
        XCTAssertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval") || csp.contains("http"), csp)
        XCTAssertEqual(root.headers["X-Content-Type-Options"], "nosniff")

        let again = await serve("/", headers: ["If-None-Match": etag])
        XCTAssertEqual(again.status, .notModified)
        XCTAssertTrue(again.body.isEmpty)

        let script = await serve("/app/app.js")
        XCTAssertEqual(script.status, .ok)
        XCTAssertEqual(script.headers["Content-Type"], "text/javascript; charset=utf-8")
        XCTAssertNotEqual(script.headers["ETag"], etag)
        let missing = await serve("/app/nope.js")
        XCTAssertEqual(missing.status, .notFound)
        let traversal = await serve("/app/..%2FPackage.swift")
        XCTAssertEqual(traversal.status, .notFound)
    }

    /// The CSP forbids inline script and style; the pages must not need them, and nothing may
    /// load from another origin (the app works offline).
    func testThePagesNeedNoInlineCodeAndNothingFromTheInternet() throws {
        let html = String(decoding: try XCTUnwrap(WebAssets.asset(named: "index.html")).bytes, as: UTF8.self)
        for script in html.components(separatedBy: "<script").dropFirst() {
            XCTAssertTrue(script.prefix(while: { $0 != ">" }).contains("src=\"/app/"), "inline script in index.html: <script\(script.prefix(60))")
        }
        XCTAssertNil(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression), "inline event handler in index.html")
        XCTAssertNil(html.range(of: #"\sstyle\s*="#, options: .regularExpression), "style attribute in index.html")
        XCTAssertFalse(html.contains("<style"), "inline style element in index.html")
        for asset in WebAssets.embedded {
            // The SVG namespace is a name, not a place anything is loaded from.
            let text = String(decoding: asset.bytes, as: UTF8.self).replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
            XCTAssertNil(text.range(of: #"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/"#, options: .regularExpression), "\(asset.name) refers to another origin")
        }
    }

    /// Data reaches the page as text nodes and attribute values only: the scripts never parse
    /// strings as HTML, never evaluate strings, never set a style attribute the CSP would block.
    func testTheScriptsNeverParseDataAsHTML() throws {
        let forbidden = ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                         "setAttribute('style'", "createContextualFragment", "DOMParser"]
        for asset in WebAssets.embedded where asset.name.hasSuffix(".js") {
            let text = String(decoding: asset.bytes, as: UTF8.self)
            for word in forbidden {
                XCTAssertFalse(text.contains(word), "\(asset.name) uses \(word)")
            }
        }
    }
}
