import HTTPServer

/// The studio web app's files (HTML, CSS, vanilla JavaScript), compiled into the binary so
/// `imagegen serve` needs nothing beside it and nothing from the internet.
///
/// `/` answers `index.html`, `/app/NAME` the other files. Every answer carries its ETag
/// (`If-None-Match` gets a 304) and `Cache-Control: no-cache`, so a browser revalidates and an
/// upgraded binary is never mixed with cached files of the old one.
package enum WebAssets {
    static let byName: [String: WebAsset] = Dictionary(uniqueKeysWithValues: embedded.map { ($0.name, $0) })

    package static func asset(named name: String) -> WebAsset? { byName[name] }

    /// The routes the app adds to the server: GET patterns and their handlers.
    package static let routes: [(pattern: String, handler: HTTPHandler)] = [
        ("/", { request in serve("index.html", request) }),
        ("/app/{file}", { request in serve(request.pathParameters["file"] ?? "", request) }),
    ]

    /// The policy the pages are written for: scripts and styles from this origin only (no inline
    /// script or style attribute), images from here (and `blob:` for previews), never framed.
    package static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
        "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static func serve(_ name: String, _ request: HTTPRequest) -> HTTPResponse {
        guard let asset = byName[name] else {
            return .error(.notFound, code: "not_found", message: "no web app file '\(name)'; the app starts at /")
        }
        var headers: HTTPHeaders = [
            "ETag": asset.etag,
            "Cache-Control": "no-cache",
            "Content-Security-Policy": contentSecurityPolicy,
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
        ]
        if let tags = request.headers["If-None-Match"], tags.contains(asset.etag) {
            return HTTPResponse(status: .notModified, headers: headers)
        }
        headers["Content-Type"] = asset.contentType
        return HTTPResponse(status: .ok, headers: headers, body: asset.bytes)
    }
}
