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
        guard let copy = cvips_image_copy_memory(pointer) else {
            throw .libvipsFailed(operation: "copy_memory", reason: VipsErrorBuffer.take())
        }
        return VipsImageHandle(owning: copy)
    }

    /// The same pixels with every metadata field removed: EXIF (GPS, camera, timestamps),
    /// XMP, IPTC, ICC, PNG text chunks, orientation. Encoders are also told to strip, but
    /// libvips 8.14's webpsave writes an EXIF block despite `strip` (measured), so nothing is
    /// left for an encoder to leak. An image only this handle references (e.g. fresh from
    /// `copiedToMemory()`) is cleaned in place, so it stays a plain memory image; a shared one
    /// is first wrapped in a copy that shares its pixels.
    func withoutMetadata() throws(ImageProcessingError) -> VipsImageHandle {
        let target = cvips_is_sole_reference(pointer) != 0 ? self : try Self.produce("copy") { cvips_copy(pointer, $0) }
        // Core header fields (width, bands, ...) are not metadata and are not removed.
        for name in target.metadataFieldNames { _ = cvips_image_remove(target.pointer, name) }
        return target
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

    /// Luma Y′ of an 8-bit sRGB image as one 8-bit band: the Rec. 709 weighted sum of the
    /// gamma-encoded channels, rounded. One multiply-add pass, against a trip through XYZ
    /// for libvips' `colourspace(B_W)` (about 3× the CPU here).
    func luma() throws(ImageProcessingError) -> VipsImageHandle {
        let weights = try Self.matrix(width: 3, height: 1, values: [0.2126, 0.7152, 0.0722])
        let sum = try Self.produce("recomb") { cvips_recomb(pointer, $0, weights.pointer) }
        return try sum.linear(multiply: [1], add: [0.5], clipToByte: true)
    }

    func joiningBands(_ other: VipsImageHandle) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("bandjoin") { cvips_bandjoin2(pointer, other.pointer, $0) }
    }

    /// Resized by the given factors with `kernel`. libvips pre-shrinks with a box filter and
    /// leaves the last `reducingGap`× of the reduction to the kernel; 4 gives Lanczos the whole
    /// job up to 4× and keeps large reductions fast. (libvips' default, 2, took 63 ms instead
    /// of 8.5 ms for 1024 → 256 px here, measured; its shrink-by-2 path is slow in 8.14.)
    func resized(horizontalScale: Double, verticalScale: Double, kernel: VipsKernel,
                 reducingGap: Double = 4) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("resize") { cvips_resize(pointer, $0, horizontalScale, verticalScale, kernel, reducingGap) }
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

    /// Every band mapped through `table` (256 entries: the output for each input value 0...255).
    func mapped(through table: [UInt8]) throws(ImageProcessingError) -> VipsImageHandle {
        precondition(table.count == 256, "a lookup table for 8-bit values has 256 entries")
        let lut = try Self.fromPixels(table, width: 256, height: 1, bands: 1)
        return try Self.produce("maplut") { cvips_maplut(pointer, $0, lut.pointer) }
    }

    /// Convolution with the integer `weights` (a `size` x `size` mask), divided by `divisor`,
    /// plus `offset`, in libvips' fast integer path; an 8-bit image stays 8-bit (clipped).
    func convolved(withIntegerWeights weights: [Int], size: Int, divisor: Int,
                   offset: Double = 0) throws(ImageProcessingError) -> VipsImageHandle {
        let mask = try Self.matrix(width: size, height: size, values: weights.map(Double.init))
        // The mask is new and ours alone, so setting its scale and offset affects nobody else.
        cvips_image_set_double(mask.pointer, "scale", Double(divisor))
        cvips_image_set_double(mask.pointer, "offset", offset)
        return try Self.produce("conv") { cvips_conv_integer(pointer, $0, mask.pointer) }
    }

    /// Convolution with `mask`, computed in floating point; the result is a float image.
    func convolved(with mask: VipsImageHandle) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("conv") { cvips_conv_float(pointer, $0, mask.pointer) }
    }

    /// Each pixel replaced by the largest value in its `size` x `size` neighbourhood.
    func localMaximum(size: Int) throws(ImageProcessingError) -> VipsImageHandle {
        try Self.produce("rank") { cvips_rank(pointer, $0, Int32(size), Int32(size * size - 1)) }
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

    /// Calls `body` with the pixels (band-interleaved rows, in the image's band format) in
    /// place when the image is held in memory, as `copiedToMemory()` leaves it; otherwise
    /// libvips computes them into a buffer first.
    func withPixelBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) throws(ImageProcessingError) -> Result {
        guard let data = cvips_image_get_data(pointer) else {
            throw .libvipsFailed(operation: "get_data", reason: VipsErrorBuffer.take())
        }
        let count = width * height * bands * Int(cvips_format_sizeof(bandFormat))
        return withExtendedLifetime(self) { body(UnsafeRawBufferPointer(start: data, count: count)) }
    }

    /// The computed pixels as raw bytes (band-interleaved rows, in the image's band format).
    func pixelData() throws(ImageProcessingError) -> Data {
        var size = 0
        guard let memory = cvips_image_write_to_memory(pointer, &size) else {
            throw .libvipsFailed(operation: "write_to_memory", reason: VipsErrorBuffer.take())
        }
        return Data(bytesNoCopy: memory, count: size, deallocator: .custom { pointer, _ in cvips_g_free(pointer) })
    }
}
