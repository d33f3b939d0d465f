import Foundation

/// SigV4's `UriEncode`: every byte except the 66 unreserved characters `A–Z a–z 0–9 - . _ ~`
/// becomes `%XX` with upper-case hex over the UTF-8 bytes; space is `%20`, never `+`.
///
/// Generic URL encoders get this subtly wrong (space as `+`, `~` escaped, lower-case hex), which
/// breaks signatures. Foundation's `addingPercentEncoding` with exactly the unreserved set behaves
/// correctly on Linux (see reference/s3-sigv4.md §2.1), so we use it rather than hand-roll one.
package enum SigV4URIEncoding {
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    private static let unreservedAndSlash = unreserved.union(CharacterSet(charactersIn: "/"))

    /// Encodes a query parameter name or value: `/` becomes `%2F`.
    package static func encodeQueryComponent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// Encodes a URI path, keeping `/` separators. S3 object keys keep their slashes and are encoded
    /// exactly once; the same string is both signed and sent.
    package static func encodePath(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: unreservedAndSlash) ?? ""
    }
}
