import Foundation

/// `data:` URLs (RFC 2397), which Replicate may return instead of file URLs for small outputs.
public enum DataURL {
    /// The decoded bytes and media type, or nil when `text` is not a base64 `data:` URL.
    public static func decode(_ text: String) -> (mime: String, bytes: [UInt8])? {
        guard text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") else { return nil }
        let header = text[text.index(text.startIndex, offsetBy: 5)..<comma]
        let parameters = header.split(separator: ";").map(String.init)
        guard parameters.last == "base64" else { return nil }
        let mime = parameters.first.flatMap { $0.contains("/") ? $0 : nil } ?? "application/octet-stream"
        guard let data = Data(base64Encoded: String(text[text.index(after: comma)...]), options: .ignoreUnknownCharacters) else {
            return nil
        }
        return (mime, [UInt8](data))
    }
}
