/// Why the bytes a provider returned were refused. A refused image fails its job with this
/// reason and is never stored as a good image.
public enum ImageInputError: Error, Equatable, CustomStringConvertible {
    /// No bytes at all.
    case empty
    /// More bytes than `InputLimits.maxBytes` allows.
    case tooManyBytes(byteCount: Int, limit: Int)
    /// The first bytes match no image format.
    case unrecognizedFormat(firstBytesHex: String)
    /// A real image format, but not one the host accepts.
    case unsupportedFormat(name: String)
    /// The declared MIME type names a format the host does not accept.
    case unsupportedDeclaredType(String)
    /// The bytes are one format but were declared as another.
    case formatMismatch(declared: String, detected: ImageFormat)
    /// The header could not be read.
    case unreadableHeader(format: ImageFormat, reason: String)
    /// The header declares zero or negative dimensions.
    case emptyDimensions(width: Int, height: Int)
    /// The header declares an image larger than the limits; refused before any pixel is decoded.
    case dimensionsExceedLimit(width: Int, height: Int, limit: String)
    /// The pixels could not be decoded completely: truncated or corrupt data.
    case undecodable(format: ImageFormat, reason: String)
    /// Not the image's fault: libvips could not be loaded or started in this process, so no
    /// image can be checked (the host keeps running; the job fails with this reason).
    case imagingUnavailable(reason: String)

    public var description: String {
        switch self {
        case .empty:
            "image refused: the provider returned no bytes; retry the job or check the provider"
        case let .tooManyBytes(byteCount, limit):
            "image refused: \(byteCount) bytes exceed the limit of \(limit) bytes (imaging.limits.maxBytes)"
        case let .unrecognizedFormat(hex):
            "image refused: the bytes are not PNG, JPEG, WebP or AVIF (first bytes: \(hex)); the provider returned something else"
        case let .unsupportedFormat(name):
            "image refused: \(name) is not accepted; ask the provider for PNG, JPEG, WebP or AVIF"
        case let .unsupportedDeclaredType(type):
            "image refused: the declared type '\(type)' is not an accepted image type (PNG, JPEG, WebP, AVIF)"
        case let .formatMismatch(declared, detected):
            "image refused: declared as '\(declared)' but the bytes are \(detected.rawValue.uppercased()); the provider mislabelled its output"
        case let .unreadableHeader(format, reason):
            "image refused: the \(format.rawValue.uppercased()) header cannot be read (\(reason))"
        case let .emptyDimensions(width, height):
            "image refused: the header declares an empty image (\(width)x\(height))"
        case let .dimensionsExceedLimit(width, height, limit):
            "image refused: the header declares \(width)x\(height) pixels, over the limit \(limit); not decoded (possible decompression bomb)"
        case let .undecodable(format, reason):
            "image refused: the \(format.rawValue.uppercased()) data is truncated or corrupt (\(reason))"
        case let .imagingUnavailable(reason):
            "image not checked: the host cannot start libvips (\(reason)); install libvips (scripts/install-deps.sh) and restart"
        }
    }
}
