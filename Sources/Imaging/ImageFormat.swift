import Foundation

/// The image formats the host reads from providers and writes as derivatives.
public enum ImageFormat: String, Codable, Sendable, CaseIterable {
    case png, jpeg, webp, avif

    public var mimeType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .webp: "image/webp"
        case .avif: "image/avif"
        }
    }

    /// The file name extension (without dot) used when the image is stored.
    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        case .webp: "webp"
        case .avif: "avif"
        }
    }

    /// The format a declared MIME type names, tolerating case, parameters (`; charset=...`) and
    /// the common aliases `image/jpg` and `image/pjpeg`. Nil for anything else.
    public init?(mimeType: String) {
        let bare = mimeType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? mimeType
        switch bare.trimmingCharacters(in: .whitespaces).lowercased() {
        case "image/png", "image/x-png": self = .png
        case "image/jpeg", "image/jpg", "image/pjpeg": self = .jpeg
        case "image/webp": self = .webp
        case "image/avif": self = .avif
        default: return nil
        }
    }
}
