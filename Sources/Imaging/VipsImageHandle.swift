import CVips
import Foundation

/// One owned reference to a libvips image, released when the handle goes away.
///
/// `@unchecked Sendable` because libvips images are immutable once built, their reference
/// counts are atomic, and libvips computes from one image on many threads at once by design.
/// The host never writes into an image after handing out its handle (metadata included).
final class VipsImageHandle: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<VipsImage>

    init(owning pointer: UnsafeMutablePointer<VipsImage>) {
        self.pointer = pointer
    }

    deinit { cvips_unref(pointer) }

    var width: Int { Int(cvips_image_get_width(pointer)) }
    var height: Int { Int(cvips_image_get_height(pointer)) }
    var bands: Int { Int(cvips_image_get_bands(pointer)) }
    var bandFormat: VipsBandFormat { cvips_image_get_format(pointer) }
    var interpretation: VipsInterpretation { cvips_image_get_interpretation(pointer) }
    var hasAlpha: Bool { cvips_image_hasalpha(pointer) != 0 }
    /// EXIF orientation 1...8 (1 = upright), 1 when the image carries none.
    var orientation: Int { Int(cvips_image_get_orientation(pointer)) }
    var hasICCProfile: Bool { cvips_image_get_typeof(pointer, "icc-profile-data") != 0 }

    /// Names of the metadata fields the image carries (EXIF, XMP, ICC, PNG text, ...).
    var metadataFieldNames: [String] {
        guard let fields = cvips_image_get_fields(pointer) else { return [] }
        defer { cvips_g_strfreev(fields) }
        var names: [String] = []
        var index = 0
        while let field = fields[index] {
            names.append(String(cString: field))
            index += 1
        }
        return names
    }

    /// Runs a libvips operation that produces one image and wraps its output.
    /// `operation` names the step in the error when libvips refuses.
    static func produce(
        _ operation: String,
        _ body: (UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32
    ) throws(ImageProcessingError) -> VipsImageHandle {
        var output: UnsafeMutablePointer<VipsImage>?
        let status = body(&output)
        guard status == 0, let output else {
            if let output { cvips_unref(output) }
            throw .libvipsFailed(operation: operation, reason: VipsErrorBuffer.take())
        }
        return VipsImageHandle(owning: output)
    }

    /// Wraps 8-bit pixels laid out row by row, band-interleaved (libvips copies them).
    static func fromPixels(_ pixels: [UInt8], width: Int, height: Int, bands: Int) throws(ImageProcessingError) -> VipsImageHandle {
        precondition(pixels.count == width * height * bands, "pixel count must be width x height x bands")
        let image = pixels.withUnsafeBytes { raw in
            cvips_image_new_from_memory_copy(raw.baseAddress, raw.count, Int32(width), Int32(height),
                                             Int32(bands), VIPS_FORMAT_UCHAR)
        }
        guard let image else { throw .libvipsFailed(operation: "new_from_memory_copy", reason: VipsErrorBuffer.take()) }
        return VipsImageHandle(owning: image)
    }

    /// A small matrix image, used as a convolution mask.
    static func matrix(width: Int, height: Int, values: [Double]) throws(ImageProcessingError) -> VipsImageHandle {
        precondition(values.count == width * height, "matrix needs width x height values")
        let image = values.withUnsafeBufferPointer { buffer in
            cvips_image_new_matrix_from_array(Int32(width), Int32(height), buffer.baseAddress, Int32(buffer.count))
        }
        guard let image else { throw .libvipsFailed(operation: "new_matrix_from_array", reason: VipsErrorBuffer.take()) }
        return VipsImageHandle(owning: image)
    }
}
