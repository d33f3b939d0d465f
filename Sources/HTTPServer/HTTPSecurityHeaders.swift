/// The security headers every response carries unless its handler sets its own: no MIME
/// sniffing, no framing (clickjacking), scripts, styles and images from this origin only and no
/// inline script, no referrer leaking ids in URLs, and windows isolated from other origins.
package enum HTTPSecurityHeaders {
    package static let contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    package static let strict: HTTPHeaders = [
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": contentSecurityPolicy,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    ]
}
