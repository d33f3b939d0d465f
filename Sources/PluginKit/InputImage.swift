import Foundation

/// The image a `vary` or `upscale` request starts from (`"input_image"` in the request JSON).
/// The host sends its stored original, checksum verified; the bytes travel as base64 so the
/// request stays one JSON document.
public struct InputImage: Sendable, Codable, Equatable {
    public var dataBase64: String
    public var mime: String
    public var width: Int
    public var height: Int
    public var sha256: String?
    /// `{"ref", "index"}` when this plugin made the image (see `imagegen_plugin.h`): for
    /// providers that act on their own results rather than on bytes.
    public var source: JSONValue?

    enum CodingKeys: String, CodingKey {
        case mime, width, height, sha256, source
        case dataBase64 = "data_base64"
    }

    public init(bytes: [UInt8], mime: String, width: Int, height: Int, sha256: String? = nil) {
        dataBase64 = Data(bytes).base64EncodedString()
        self.mime = mime
        self.width = width
        self.height = height
        self.sha256 = sha256
    }

    /// The decoded bytes, or nil when the base64 is broken.
    public var bytes: [UInt8]? { Data(base64Encoded: dataBase64).map { [UInt8]($0) } }
}

/// What a request asks for (`"kind"`; absent means `generate`). A plugin only receives `vary`
/// or `upscale` for a model whose description lists `image-to-image` or `upscale`.
public enum RequestKind: String, Sendable, Codable, Equatable {
    case generate, vary, upscale
}
