import Foundation

/// One rendered, encoded version of an image, held in memory. The caller stores it as a
/// version of the original (parent = the original image) under its variant name and format.
public struct ImageDerivative: Sendable, Equatable {
    /// The size's name from the profile: "master", "publish", "thumbnail", ...
    public let variant: String
    public let format: ImageFormat
    public let width: Int
    public let height: Int
    /// The encoded file, metadata stripped.
    public let bytes: Data

    public var mimeType: String { format.mimeType }
    public var fileExtension: String { format.fileExtension }
    public var byteCount: Int { bytes.count }

    public init(variant: String, format: ImageFormat, width: Int, height: Int, bytes: Data) {
        self.variant = variant
        self.format = format
        self.width = width
        self.height = height
        self.bytes = bytes
    }
}
