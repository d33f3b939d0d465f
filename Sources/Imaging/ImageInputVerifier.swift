import CVips
import Foundation

/// Checks a provider's bytes before anything else touches them, cheapest check first:
///
/// 1. size in bytes against `InputLimits.maxBytes`;
/// 2. the magic number: an accepted format, and the one the provider declared;
/// 3. the header only (libvips loads lazily, so no pixel is decoded yet): dimensions against
///    the limits, which refuses a decompression bomb without allocating it;
/// 4. a full decode with libvips' `fail_on = error`, which turns truncation and corruption
///    into errors instead of grey filler. The decoded pixels are kept for the next steps,
///    without any of the provider's metadata (EXIF, GPS, XMP, ICC after conversion to sRGB).
struct ImageInputVerifier: Sendable {
    let limits: InputLimits

    func verify(_ bytes: Data, declaredMIMEType: String?) throws(ImageInputError) -> VerifiedImage {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= limits.maxBytes else { throw .tooManyBytes(byteCount: bytes.count, limit: limits.maxBytes) }

        let format: ImageFormat
        switch ImageSignature(of: bytes) {
        case let .supported(detected): format = detected
        case let .unsupported(name): throw .unsupportedFormat(name: name)
        case .unknown:
            throw .unrecognizedFormat(firstBytesHex: bytes.prefix(12).map { String(format: "%02x", $0) }.joined(separator: " "))
        }
        if let declaredMIMEType {
            guard let declared = ImageFormat(mimeType: declaredMIMEType) else { throw .unsupportedDeclaredType(declaredMIMEType) }
            guard declared == format else { throw .formatMismatch(declared: declaredMIMEType, detected: format) }
        }

        // libvips reads the buffer in place, so everything that reads it happens inside this
        // closure; the decoded copy that leaves it no longer refers to `bytes`.
        let outcome: Result<VipsImageHandle, ImageInputError> = bytes.withUnsafeBytes { raw in
            Result { () throws(ImageInputError) -> VipsImageHandle in
                try decode(UnsafeMutableRawPointer(mutating: raw.baseAddress!), count: raw.count, as: format)
            }
        }
        return VerifiedImage(format: format, byteCount: bytes.count, pixels: try outcome.get())
    }

    private func decode(_ buffer: UnsafeMutableRawPointer, count: Int, as format: ImageFormat) throws(ImageInputError) -> VipsImageHandle {
        let header = try load(buffer, count: count, as: format, access: VIPS_ACCESS_SEQUENTIAL)
        let (width, height) = (header.width, header.height)
        guard width > 0, height > 0 else { throw .emptyDimensions(width: width, height: height) }
        if let limit = limits.violation(width: width, height: height) {
            throw .dimensionsExceedLimit(width: width, height: height, limit: limit)
        }

        // Turning the image upright reads it out of order, which a sequential load refuses.
        let upright = header.orientation != 1
        let source = upright ? try load(buffer, count: count, as: format, access: VIPS_ACCESS_RANDOM) : header
        do {
            return try Self.normalized(source, applyOrientation: upright).copiedToMemory().withoutMetadata()
        } catch {
            throw .undecodable(format: format, reason: Self.reason(error))
        }
    }

    private func load(_ buffer: UnsafeMutableRawPointer, count: Int, as format: ImageFormat,
                      access: VipsAccess) throws(ImageInputError) -> VipsImageHandle {
        do {
            return try VipsImageHandle.produce("\(format.rawValue)load") { output in
                switch format {
                case .png: cvips_pngload_buffer(buffer, count, output, access, VIPS_FAIL_ON_ERROR)
                case .jpeg: cvips_jpegload_buffer(buffer, count, output, access, VIPS_FAIL_ON_ERROR)
                case .webp: cvips_webpload_buffer(buffer, count, output, access, VIPS_FAIL_ON_ERROR)
                case .avif: cvips_heifload_buffer(buffer, count, output, access, VIPS_FAIL_ON_ERROR)
                }
            }
        } catch {
            throw .unreadableHeader(format: format, reason: Self.reason(error))
        }
    }

    /// The lazy chain from the loaded image to upright 8-bit sRGB (alpha kept), so every later
    /// step sees one pixel layout and stripping the ICC profile later keeps the colours.
    private static func normalized(_ image: VipsImageHandle, applyOrientation: Bool) throws(ImageProcessingError) -> VipsImageHandle {
        var current = image
        if applyOrientation { current = try current.autorotated() }
        // try?: an ICC profile libvips cannot apply leaves the pixels as they are; the image is still verified and stored
        if current.hasICCProfile, let converted = try? current.fromEmbeddedProfileToSRGB() {
            current = converted
        }
        if current.interpretation != VIPS_INTERPRETATION_sRGB || current.bandFormat != VIPS_FORMAT_UCHAR {
            current = try current.colourspace(VIPS_INTERPRETATION_sRGB)
        }
        if current.bandFormat != VIPS_FORMAT_UCHAR { current = try current.cast(VIPS_FORMAT_UCHAR) }
        return current
    }

    private static func reason(_ error: ImageProcessingError) -> String {
        if case let .libvipsFailed(_, reason) = error { return reason }
        return error.description
    }
}
