import Foundation

/// A `multipart/form-data` body (RFC 7578) built from text fields and files.
///
/// Stability's v2beta API accepts nothing else, even when no file is attached, and some HTTP
/// stacks silently fall back to url-encoding when a form has no file part; building the bytes
/// here keeps the encoding explicit.
public struct MultipartFormData: Sendable {
    public let boundary: String
    private var parts: [[UInt8]] = []

    /// `boundary` must not occur in any part; the default is random enough for that.
    public init(boundary: String = "imagegen-" + UUID().uuidString.replacingOccurrences(of: "-", with: "")) {
        self.boundary = boundary
    }

    /// The `Content-Type` header value, with the boundary.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public mutating func append(_ name: String, _ value: String) {
        var part = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.escape(name))\"\r\n\r\n"
        part += value
        part += "\r\n"
        parts.append(Array(part.utf8))
    }

    public mutating func append(_ name: String, filename: String, mime: String, data: [UInt8]) {
        let head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.escape(name))\"; "
            + "filename=\"\(Self.escape(filename))\"\r\nContent-Type: \(mime)\r\n\r\n"
        parts.append(Array(head.utf8) + data + Array("\r\n".utf8))
    }

    /// The encoded body, closing delimiter included.
    public var body: [UInt8] {
        parts.flatMap { $0 } + Array("--\(boundary)--\r\n".utf8)
    }

    /// Quotes and line breaks cannot appear inside a quoted parameter (RFC 7578 §4.2).
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }
}
