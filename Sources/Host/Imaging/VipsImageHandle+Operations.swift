import CVips
import Foundation

/// The libvips operations the host uses, each returning a new (lazy) image.
///
/// Results are lazy: libvips computes pixels only when something reads them, so chaining
/// these costs nothing until `copiedToMemory()`, a statistic or an encoder runs the chain.
extension VipsImageHandle {
    /// Computes the whole chain now and keeps the pixels in memory, so several consumers
    /// (encoders, resizes, statistics) read them without recomputing the chain each time.
    /// This is also where decoding errors surface for a freshly loaded image.
    func copiedToMemory() throws(ImageProcessingError) -> VipsImageHandle {
        guard let copy = vips_image_copy_memory(pointer) else {
            throw .libvipsFailed(operation: "copy_memory", reason: VipsErrorBuffer.take())
        }
        return VipsImageHandle(owning: copy)
    }

    /// The same pixels (shared, not copied) with every metadata field removed: EXIF (GPS,
    /// camera, timestamps), XMP, IPTC, ICC, PNG text chunks, orientation. Encoders are also
    /// told to strip, but libvips 8.14's webpsave writes EXIF and XMP despite `strip`
    /// (measured), so nothing is left for an encoder to leak.
    func withoutMetadata() throws(ImageProcessingError) -> VipsImageHandle {
        let copy = try Self.produce("copy") { cvips_copy(pointer, $0) }
        // The copy is new and not yet shared, so changing its metadata affects nobody else.
        // Core header fields (width, bands, ...) are not metadata and are not removed.
        for name in copy.metadataFieldNames { _ = vips_image_remove(copy.pointer, name) }
        return copy
    }

    func autorotated() throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("autorot") { cvips_autorot(pointer, $0) }
    }

    /// Converts from the embedded ICC profile to sRGB, so stripping the profile later keeps the colours.
    func fromEmbeddedProfileToSRGB() throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("icc_transform") { cvips_icc_to_srgb(pointer, $0) }
    }

    func colourspace(_ space: VipsInterpretation) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("colourspace") { cvips_colourspace(pointer, $0, space) }
    }

    func cast(_ format: VipsBandFormat) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("cast") { cvips_cast(pointer, $0, format) }
    }

    /// Composites the alpha band onto an opaque background colour (0...255 per channel).
    func flattened(onto background: RGBColor) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("flatten") {
            cvips_flatten(pointer, $0, Double(background.red), Double(background.green), Double(background.blue))
        }
    }

    func bands(from first: Int, count: Int) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("extract_band") { cvips_extract_band(pointer, $0, Int32(first), Int32(count)) }
    }

    func area(left: Int, top: Int, width: Int, height: Int) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("extract_area") {
            cvips_extract_area(pointer, $0, Int32(left), Int32(top), Int32(width), Int32(height))
        }
    }

    func joiningBands(_ other: VipsImageHandle) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("bandjoin") { cvips_bandjoin2(pointer, other.pointer, $0) }
    }

    /// Per pixel, the band value of rank `index` across this image's bands (0 = the smallest).
    func bandRank(_ index: Int) throws(ImageProcessingError) -> VipsImageHandle {
        var singles: [VipsImageHandle] = []
        for band in 0..<bands { singles.append(try self.bands(from: band, count: 1)) }
        var pointers: [UnsafeMutablePointer<VipsImage>?] = singles.map { $0.pointer }
        let result = try Self.produce("bandrank") { output in
            pointers.withUnsafeMutableBufferPointer { cvips_bandrank($0.baseAddress, Int32($0.count), output, Int32(index)) }
        }
        withExtendedLifetime(singles) {}
        return result
    }

    func resized(horizontalScale: Double, verticalScale: Double, kernel: VipsKernel) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("resize") { cvips_resize(pointer, $0, horizontalScale, verticalScale, kernel) }
    }

    /// `out = in * multiply[i] + add[i]` per band; with `clipToByte` the result is rounded and clipped to 0...255.
    func linear(multiply: [Double], add: [Double], clipToByte: Bool) throws(ImageProcessingError) -> VipsImageHandle {
        precondition(multiply.count == add.count, "one multiplier and one offset per band")
        return try Self.produce("linear") { output in
            multiply.withUnsafeBufferPointer { a in
                add.withUnsafeBufferPointer { b in
                    cvips_linear(pointer, output, a.baseAddress, b.baseAddress, Int32(a.count), clipToByte ? 1 : 0)
                }
            }
        }
    }

    func sharpened(sigma: Double, threshold: Double, flatAmount: Double, jaggedAmount: Double) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("sharpen") { cvips_sharpen(pointer, $0, sigma, threshold, flatAmount, jaggedAmount) }
    }

    /// Convolution with `mask`, computed in floating point; the result is a float image.
    func convolved(with mask: VipsImageHandle) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("conv") { cvips_conv_float(pointer, $0, mask.pointer) }
    }

    /// Each pixel replaced by the median of its `size` x `size` neighbourhood.
    func median(size: Int) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("rank") { cvips_rank(pointer, $0, Int32(size), Int32(size * size / 2)) }
    }

    /// Each pixel replaced by the largest value in its `size` x `size` neighbourhood.
    func localMaximum(size: Int) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("rank") { cvips_rank(pointer, $0, Int32(size), Int32(size * size - 1)) }
    }

    func gaussianBlurred(sigma: Double) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("gaussblur") { cvips_gaussblur(pointer, $0, sigma) }
    }

    func subtracting(_ other: VipsImageHandle) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("subtract") { cvips_subtract(pointer, other.pointer, $0) }
    }

    func adding(_ other: VipsImageHandle) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("add") { cvips_add(pointer, other.pointer, $0) }
    }

    func absolute() throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("abs") { cvips_abs(pointer, $0) }
    }

    /// Mean of all pixel values over all bands.
    func average() throws(ImageProcessingError) -> Double {
        var value = 0.0
        guard cvips_avg(pointer, &value) == 0 else { throw .libvipsFailed(operation: "avg", reason: VipsErrorBuffer.take()) }
        return value
    }

    /// Standard deviation of all pixel values over all bands.
    func standardDeviation() throws(ImageProcessingError) -> Double {
        var value = 0.0
        guard cvips_deviate(pointer, &value) == 0 else { throw .libvipsFailed(operation: "deviate", reason: VipsErrorBuffer.take()) }
        return value
    }

    /// Counts of each value 0...255 of a one-band 8-bit image.
    func histogram() throws(ImageProcessingError) -> [Int] {
        let hist = try Self.produce("hist_find") { cvips_hist_find(pointer, $0) }
        let counts = try hist.cast(VIPS_FORMAT_UINT).pixelData()
        return counts.withUnsafeBytes { raw in raw.bindMemory(to: UInt32.self).map { Int($0) } }
    }

    /// The computed pixels as raw bytes (band-interleaved rows, in the image's band format).
    func pixelData() throws(ImageProcessingError) -> Data {
        var size = 0
        guard let memory = vips_image_write_to_memory(pointer, &size) else {
            throw .libvipsFailed(operation: "write_to_memory", reason: VipsErrorBuffer.take())
        }
        return Data(bytesNoCopy: memory, count: size, deallocator: .custom { pointer, _ in g_free(pointer) })
    }
}
