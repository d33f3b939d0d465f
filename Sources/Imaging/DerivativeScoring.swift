import CVips
import Foundation
import ImagegenCore

extension ImageWorkshop {
    /// The long edge a derivative is scored at: the scale the quality score's sharpness is
    /// measured at anyway (`QualityMeasurer.analysisLongEdge`).
    static let derivativeScoringLongEdge = QualityMeasurer.analysisLongEdge

    /// The quality report of one of the host's own encoded derivatives, measured on its bytes
    /// decoded at about a 512 px long edge: JPEG with libjpeg's DCT scaling (1/2, 1/4, 1/8,
    /// the largest that stays at or above 512 px, then Lanczos3 to 512), WebP scaled by libwebp
    /// while decoding, other formats decoded whole and scaled with Lanczos3. A derivative of 512 px or less is
    /// decoded whole. Why: decoding and measuring a 1024 px derivative at full size cost
    /// 61–110 ms, three quarters of post-processing (Benchmarks/README.md); at 512 px the
    /// decode is a fraction and every measurement a quarter. What it means for the score:
    /// docs/quality-score.md ("Derivatives").
    ///
    /// For the host's outputs only (already 8-bit sRGB, upright, without metadata): a
    /// provider's bytes go through `verify`.
    public func scoreDerivative(_ derivative: ImageDerivative) throws(ImageProcessingError) -> QualityReport {
        try start()
        let pixels = try Self.decodeForScoring(derivative.bytes, format: derivative.format,
                                               width: derivative.width, height: derivative.height)
        return QualityReport(measurements: try QualityMeasurer().measure(pixels), weights: configuration.qualityWeights)
    }

    static func decodeForScoring(_ bytes: Data, format: ImageFormat, width: Int, height: Int) throws(ImageProcessingError) -> VipsImageHandle {
        let longEdge = max(width, height)
        let target = derivativeScoringLongEdge
        // libvips reads the buffer in place: everything that reads it happens in this closure.
        let outcome: Result<VipsImageHandle, ImageProcessingError> = bytes.withUnsafeBytes { raw in
          Result { () throws(ImageProcessingError) -> VipsImageHandle in
            let buffer = UnsafeMutableRawPointer(mutating: raw.baseAddress!)
            let loaded = try VipsImageHandle.produce("\(format.rawValue)load") { output in
                switch format {
                case .jpeg:
                    var shrink: Int32 = 1
                    while shrink < 8 && longEdge / Int(shrink * 2) >= target { shrink *= 2 }
                    return cvips_jpegload_buffer_shrink(buffer, raw.count, output, VIPS_ACCESS_SEQUENTIAL, VIPS_FAIL_ON_ERROR, shrink)
                case .webp:
                    let scale = longEdge > target ? Double(target) / Double(longEdge) : 1
                    return cvips_webpload_buffer_scale(buffer, raw.count, output, VIPS_ACCESS_SEQUENTIAL, VIPS_FAIL_ON_ERROR, scale)
                case .png:
                    return cvips_pngload_buffer(buffer, raw.count, output, VIPS_ACCESS_SEQUENTIAL, VIPS_FAIL_ON_ERROR)
                case .avif:
                    return cvips_heifload_buffer(buffer, raw.count, output, VIPS_ACCESS_SEQUENTIAL, VIPS_FAIL_ON_ERROR)
                }
            }
            return try loaded.copiedToMemory()
          }
        }
        let decoded = try outcome.get()
        guard max(decoded.width, decoded.height) > target else { return decoded }
        let size = DerivativeSize(name: "scoring", longEdge: target).dimensions(forSourceWidth: decoded.width, height: decoded.height)
        return try decoded.resized(horizontalScale: Double(size.width) / Double(decoded.width),
                                   verticalScale: Double(size.height) / Double(decoded.height),
                                   kernel: VIPS_KERNEL_LANCZOS3).copiedToMemory()
    }
}
