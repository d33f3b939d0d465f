import CVips
import Foundation

/// One way of writing pixels to bytes: the format plus its settings. Hashable, so two
/// derivatives that need the same pixels written the same way are encoded once.
enum ImageEncoding: Hashable, Sendable {
    case jpeg(quality: Int, progressive: Bool, background: RGBColor)
    case webp(quality: Int, effort: Int)
    case avif(quality: Int, effort: Int)
    case png(compression: Int)

    var format: ImageFormat {
        switch self {
        case .jpeg: .jpeg
        case .webp: .webp
        case .avif: .avif
        case .png: .png
        }
    }
}


extension VipsImageHandle {
    /// Writes the image in `encoding`, with `label` as its only metadata when given (the AI
    /// marking, `ProvenanceLabel`). Everything else (EXIF, GPS, XMP, ICC, text chunks) is stripped
    /// unless `stripMetadata` is false, which only test fixtures use to make tainted inputs.
    func encoded(_ encoding: ImageEncoding, stripMetadata: Bool = true, label: ProvenanceLabel?) throws(ImageProcessingError) -> Data {
        guard let label else { return try encoded(encoding, stripMetadata: stripMetadata) }
        guard case let .avif(quality, effort) = encoding else {
            return try XMPEmbedding.embed(label.xmpPacket, in: try encoded(encoding, stripMetadata: stripMetadata), format: encoding.format)
        }
        // The pixels carry no metadata (`withoutMetadata`), so the XMP set here is all heifsave writes.
        let packet = label.xmpPacket
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        let status = packet.withUnsafeBytes { xmp in
            cvips_avifsave_buffer_xmp(pointer, &buffer, &length, Int32(quality), Int32(effort), xmp.baseAddress, xmp.count)
        }
        guard status == 0, let buffer else {
            if let buffer { cvips_g_free(buffer) }
            throw .libvipsFailed(operation: "avifsave", reason: VipsErrorBuffer.take())
        }
        return Data(bytesNoCopy: buffer, count: length, deallocator: .custom { pointer, _ in cvips_g_free(pointer) })
    }

    /// Writes the image in `encoding`. Metadata (EXIF, GPS, XMP, ICC, text chunks) is stripped
    /// unless `stripMetadata` is false, which only test fixtures use to make tainted inputs.
    func encoded(_ encoding: ImageEncoding, stripMetadata: Bool = true) throws(ImageProcessingError) -> Data {
        let strip: gboolean = stripMetadata ? 1 : 0
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        let status: Int32
        switch encoding {
        case let .jpeg(quality, progressive, background):
            // JPEG has no alpha: composite onto the background rather than let libvips read
            // RGBA as CMYK.
            let opaque = hasAlpha ? try flattened(onto: background) : self
            status = cvips_jpegsave_buffer(opaque.pointer, &buffer, &length, Int32(quality), progressive ? 1 : 0, strip)
        case let .webp(quality, effort):
            if stripMetadata, let direct = try directWebP(quality: quality, effort: effort) { return direct }
            status = cvips_webpsave_buffer(pointer, &buffer, &length, Int32(quality), Int32(effort), strip)
        case let .avif(quality, effort):
            status = cvips_avifsave_buffer(pointer, &buffer, &length, Int32(quality), Int32(effort), strip)
        case let .png(compression):
            status = cvips_pngsave_buffer(pointer, &buffer, &length, Int32(compression), strip)
        }
        guard status == 0, let buffer else {
            if let buffer { cvips_g_free(buffer) }
            throw .libvipsFailed(operation: "\(encoding.format.rawValue)save", reason: VipsErrorBuffer.take())
        }
        let encoded = Data(bytesNoCopy: buffer, count: length, deallocator: .custom { pointer, _ in cvips_g_free(pointer) })
        if case .webp = encoding, stripMetadata { return try Self.droppingWebPMetadata(encoded) }
        return encoded
    }

    /// The WebP file written by libwebp straight from the pixels in memory, or nil when the
    /// image is not an 8-bit RGB(A) image held in memory. Same settings and same bytes as
    /// libvips' webpsave followed by `droppingWebPMetadata`, without webpsave's 3 MiB frame
    /// copy per megapixel (`cvips_webpsave_memory`). Every derivative the renderer encodes
    /// qualifies: the enhanced master and each resize are kept in memory.
    private func directWebP(quality: Int, effort: Int) throws(ImageProcessingError) -> Data? {
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        let status = cvips_webpsave_memory(pointer, &buffer, &length, Int32(quality), Int32(effort))
        if status == 1 { return nil }
        guard status == 0, let buffer else {
            throw .libvipsFailed(operation: "webpsave", reason: VipsErrorBuffer.take())
        }
        return Data(bytesNoCopy: buffer, count: length, deallocator: .custom { pointer, _ in cvips_WebPFree(pointer) })
    }

    /// The WebP file without EXIF, XMP and ICC chunks (libvips 8.14 writes a synthetic EXIF
    /// block into every WebP, `strip` or not).
    private static func droppingWebPMetadata(_ webp: Data) throws(ImageProcessingError) -> Data {
        var output: UnsafeMutableRawPointer?
        var length = 0
        let status = webp.withUnsafeBytes { raw in cvips_webp_drop_metadata(raw.baseAddress, raw.count, &output, &length) }
        guard status == 0, let output else {
            throw .libvipsFailed(operation: "webpmux", reason: "could not remove metadata chunks from the encoded WebP")
        }
        return Data(bytesNoCopy: output, count: length, deallocator: .custom { pointer, _ in cvips_g_free(pointer) })
    }
}
