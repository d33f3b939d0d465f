/// The `Content-Type` to store an image file with, from its extension, so browsers and CDNs serve
/// the cloud copy correctly. Unknown extensions get `application/octet-stream`.
package enum ImageContentType {
    package static func forFileExtension(_ fileExtension: String) -> String {
        switch fileExtension.lowercased() {
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "webp": return "image/webp"
        case "avif": return "image/avif"
        case "gif": return "image/gif"
        case "tif", "tiff": return "image/tiff"
        case "heic": return "image/heic"
        case "json": return "application/json"
        default: return "application/octet-stream"
        }
    }
}
