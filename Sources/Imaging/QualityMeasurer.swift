import CVips
import Foundation
import ImagegenCore

/// Measures the components of the quality score on an upright 8-bit sRGB image, without a
/// reference image. See docs/quality-score.md for what each measurement means. "Luminance"
/// below is luma Y′ (Rec. 709 weights on the sRGB values), 8 bits.
///
/// Sharpness is measured on a copy scaled to a 512 px long edge, so it compares across
/// resolutions and costs little; the colour cast on a 128 px copy (a mean needs no detail);
/// exposure and contrast on the full-resolution luminance histogram; noise on a
/// full-resolution window of at most 1024 × 1024 from the centre, because scaling down would
/// average the noise away.
struct QualityMeasurer: Sendable {
    static let analysisLongEdge = 512
    static let colorCastLongEdge = 128
    static let noiseWindow = 1024
    /// Luminance at or below this counts as crushed shadow, at or above `highlightClip` as blown.
    static let shadowClip = 3
    static let highlightClip = 252
    /// Noise is measured in the flattest part of the image: pixels whose local gradient is in
    /// this lowest fraction.
    static let flatFraction = 0.3
    /// Scales the RMS of (pixel − 3×3 binomial blur) in flat areas to the σ of white noise:
    /// the blur keeps a quarter of the pixel's own noise, so the residual has
    /// √((1 − 4/16)² + 4·(2/16)² + 4·(1/16)²) = 0.80 σ, hence 1.25; choosing the flattest
    /// pixels also favours those where the noise happened to be small, which read 7 % low on
    /// synthetic Gaussian noise (σ 2 and 8, flat and textured), hence 1.25 × 1.07.
    static let noiseCalibration = 1.34
    /// Variance the 3×3 Laplacian [0 1 0; 1 −4 1; 0 1 0] gives white noise of σ = 1.
    static let laplacianNoiseGain = 20.0

    /// One copy of the pixels into luma, then single passes in C (`cvips_measure.h`) over the
    /// buffers: the only libvips call is the Lanczos3 reduction to the analysis scale, and only
    /// for an image larger than it (a derivative scored at 512 px, a 64 px output: none).
    /// `analysis`: the image at the analysis scale when the caller already has it (a verified
    /// image's shared copy); made here otherwise.
    func measure(_ image: VipsImageHandle, analysis: VipsImageHandle? = nil) throws(ImageProcessingError) -> QualityMeasurements {
        // Transparent areas are judged as they will be seen on the JPEG: on white (the C
        // passes composite alpha onto white as they read).
        let width = image.width, height = image.height, bands = image.bands
        guard image.bandFormat == VIPS_FORMAT_UCHAR, (1...4).contains(bands), width > 0, height > 0 else {
            throw .libvipsFailed(operation: "measure", reason: "the quality score needs 8-bit pixels with 1 to 4 bands, got \(bands) bands of format \(image.bandFormat.rawValue)")
        }
        let luminance = try image.withPixelBytes { pixels in
            [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
                cvips_measure_luma(pixels.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(width), Int32(height),
                                   Int32(bands), buffer.baseAddress!)
                count = width * height
            }
        }

        var histogram = [UInt64](repeating: 0, count: 256)
        luminance.withUnsafeBufferPointer { cvips_measure_histogram($0.baseAddress!, $0.count, &histogram) }
        let pixels = Double(width * height)
        let shadows = Double(histogram[0...Self.shadowClip].reduce(0, +)) / pixels
        let highlights = Double(histogram[Self.highlightClip...255].reduce(0, +)) / pixels
        var sum = 0.0, sumOfSquares = 0.0
        for (value, count) in histogram.enumerated() {
            sum += Double(value) * Double(count)
            sumOfSquares += Double(value * value) * Double(count)
        }
        let mean = sum / pixels
        let deviation = max(0, sumOfSquares / pixels - mean * mean).squareRoot()

        let noise = try Self.noiseSigma(of: luminance, width: width, height: height)

        // Sharpness and colour cast on the analysis-scale copy (the image itself when small enough).
        let small: VipsImageHandle
        if let analysis { small = analysis } else { small = try AnalysisCopy.scaled(image, toLongEdge: Self.analysisLongEdge) }
        let smallLuminance: [UInt8], smallNoise: Double
        if small === image {
            (smallLuminance, smallNoise) = (luminance, noise)
        } else {
            let (w, h) = (small.width, small.height)
            smallLuminance = try small.withPixelBytes { pixels in
                [UInt8](unsafeUninitializedCapacity: w * h) { buffer, count in
                    cvips_measure_luma(pixels.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(w), Int32(h),
                                       Int32(bands), buffer.baseAddress!)
                    count = w * h
                }
            }
            smallNoise = try Self.noiseSigma(of: smallLuminance, width: w, height: h)
        }
        let laplacianVariance = smallLuminance.withUnsafeBufferPointer {
            cvips_measure_laplacian_variance($0.baseAddress!, Int32(small.width), Int32(small.height), Int32(small.width))
        }
        // White noise of σ adds 20σ² to the Laplacian's variance (the sum of the squared mask
        // weights); take it out so that noise does not pass for detail.
        let detail = max(0, laplacianVariance - Self.laplacianNoiseGain * smallNoise * smallNoise)
        // A mean needs no detail: averages of blocks that bring the copy to about 128 px.
        let block = (max(small.width, small.height) + Self.colorCastLongEdge - 1) / Self.colorCastLongEdge
        var meanA = 0.0, meanB = 0.0
        try small.withPixelBytes { pixels in
            cvips_measure_mean_ab(pixels.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(small.width),
                                  Int32(small.height), Int32(bands), Int32(block), &meanA, &meanB)
        }

        return QualityMeasurements(
            laplacianVariance: detail,
            shadowClipFraction: shadows, highlightClipFraction: highlights,
            meanLuminance: mean / 255, rmsContrast: deviation / 255,
            noiseSigma: noise, meanA: meanA, meanB: meanB)
    }

    /// Noise σ in grey levels: the RMS difference between each pixel and its 3×3 binomial blur,
    /// over the flattest `flatFraction` of pixels (weakest local edges in the image itself —
    /// |Gx| + |Gy| of the Sobel operator / 4, then the largest value in each 3×3
    /// neighbourhood, because a first derivative is 0 on the crest of a fine texture — where
    /// that difference is noise rather than detail), in the central window of at most
    /// `noiseWindow` pixels square.
    private static func noiseSigma(of luminance: [UInt8], width: Int, height: Int) throws(ImageProcessingError) -> Double {
        let windowWidth = min(width, noiseWindow), windowHeight = min(height, noiseWindow)
        guard windowWidth >= 5, windowHeight >= 5 else { return 0 }
        let start = (height - windowHeight) / 2 * width + (width - windowWidth) / 2
        var sumOfSquares = 0.0
        var count: Int64 = 0
        let status = luminance.withUnsafeBufferPointer {
            cvips_measure_flat_residual($0.baseAddress! + start, Int32(windowWidth), Int32(windowHeight), Int32(width),
                                        flatFraction, &sumOfSquares, &count)
        }
        guard status == 0 else { throw .libvipsFailed(operation: "measure", reason: "out of memory for the noise estimate") }
        guard count > 0 else { return 0 }
        return (sumOfSquares / Double(count)).squareRoot() * noiseCalibration
    }
}
