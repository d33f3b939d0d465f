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

    func measure(_ image: VipsImageHandle) throws(ImageProcessingError) -> QualityMeasurements {
        // Transparent areas are judged as they will be seen on the JPEG: on white.
        let opaque = image.hasAlpha ? try image.flattened(onto: .white).cast(VIPS_FORMAT_UCHAR) : image
        let colour = opaque.bands > 3 ? try opaque.bands(from: 0, count: 3) : opaque
        let luminance = try colour.luma().copiedToMemory()

        let histogram = try luminance.histogram()
        let pixels = Double(histogram.reduce(0, +))
        let shadows = Double(histogram[0...Self.shadowClip].reduce(0, +)) / pixels
        let highlights = Double(histogram[Self.highlightClip...255].reduce(0, +)) / pixels
        var sum = 0.0, sumOfSquares = 0.0
        for (value, count) in histogram.enumerated() {
            sum += Double(value * count)
            sumOfSquares += Double(value * value * count)
        }
        let mean = sum / pixels
        let deviation = max(0, sumOfSquares / pixels - mean * mean).squareRoot()

        let noise = try noiseSigma(of: luminance)

        let small = try scaled(colour, toLongEdge: Self.analysisLongEdge)
        let smallLuminance = small === colour ? luminance : try small.luma().copiedToMemory()
        let laplacian = try VipsImageHandle.matrix(width: 3, height: 3, values: [0, 1, 0, 1, -4, 1, 0, 1, 0])
        let laplacianDeviation = try smallLuminance.convolved(with: laplacian).standardDeviation()
        // White noise of σ adds 20σ² to the Laplacian's variance (the sum of the squared mask
        // weights); take it out so that noise does not pass for detail.
        let smallNoise = small === colour ? noise : try noiseSigma(of: smallLuminance)
        let detail = max(0, laplacianDeviation * laplacianDeviation - Self.laplacianNoiseGain * smallNoise * smallNoise)
        // A mean needs no detail: 128 px is plenty, and the CIELAB conversion is costly per pixel.
        let lab = try scaled(small, toLongEdge: Self.colorCastLongEdge).colourspace(VIPS_INTERPRETATION_LAB).copiedToMemory()
        let meanA = try lab.bands(from: 1, count: 1).average()
        let meanB = try lab.bands(from: 2, count: 1).average()

        return QualityMeasurements(
            laplacianVariance: detail,
            shadowClipFraction: shadows, highlightClipFraction: highlights,
            meanLuminance: mean / 255, rmsContrast: deviation / 255,
            noiseSigma: noise, meanA: meanA, meanB: meanB)
    }

    /// The image with its long edge at most `longEdge` (Lanczos3), in memory because it is
    /// read several times; the image itself when it is already that small.
    private func scaled(_ image: VipsImageHandle, toLongEdge longEdge: Int) throws(ImageProcessingError) -> VipsImageHandle {
        guard max(image.width, image.height) > longEdge else { return image }
        let size = DerivativeSize(name: "analysis", longEdge: longEdge)
            .dimensions(forSourceWidth: image.width, height: image.height)
        return try image.resized(horizontalScale: Double(size.width) / Double(image.width),
                                 verticalScale: Double(size.height) / Double(image.height),
                                 kernel: VIPS_KERNEL_LANCZOS3).copiedToMemory()
    }

    /// Local edge strength: |Gx| + |Gy| of the Sobel operator, computed in float (libvips'
    /// own `sobel` takes a coarse fixed-point path for 8-bit images), scaled by 1/4 into
    /// 0...255, then the largest value in each 3×3 neighbourhood.
    private func gradientMagnitude(of image: VipsImageHandle) throws(ImageProcessingError) -> VipsImageHandle {
        let horizontal = try VipsImageHandle.matrix(width: 3, height: 3, values: [-1, 0, 1, -2, 0, 2, -1, 0, 1])
        let vertical = try VipsImageHandle.matrix(width: 3, height: 3, values: [-1, -2, -1, 0, 0, 0, 1, 2, 1])
        let gx = try image.convolved(with: horizontal).absolute()
        let gy = try image.convolved(with: vertical).absolute()
        // The largest gradient around each pixel, not just at it: a first derivative is 0 on
        // the crest of a fine texture, where the pixel still differs from its blur.
        return try gx.adding(gy).linear(multiply: [0.25], add: [0], clipToByte: true).localMaximum(size: 3)
    }

    /// Noise σ in grey levels: the RMS difference between each pixel and its 3×3 binomial blur,
    /// over the flattest `flatFraction` of pixels (weakest local edges in the image itself:
    /// a blur flattens a texture near the pixel pitch, the image does not),
    /// where that difference is noise rather than detail.
    private func noiseSigma(of luminance: VipsImageHandle) throws(ImageProcessingError) -> Double {
        let width = min(luminance.width, Self.noiseWindow)
        let height = min(luminance.height, Self.noiseWindow)
        guard width >= 5, height >= 5 else { return 0 }
        let window = try luminance.area(left: (luminance.width - width) / 2, top: (luminance.height - height) / 2,
                                        width: width, height: height)
        // Binomial 3×3 blur in libvips' integer path: 7 ms per megapixel where a 3×3 median
        // took 53 ms (measured).
        let blurred = try window.convolved(withIntegerWeights: [1, 2, 1, 2, 4, 2, 1, 2, 1], size: 3, divisor: 16)
        let residual = try window.subtracting(blurred).absolute().cast(VIPS_FORMAT_UCHAR).pixelData()
        let gradient = try gradientMagnitude(of: window).pixelData()

        // The gradient value under which `flatFraction` of the (inner) pixels lie, then the
        // RMS residual over those pixels; the 1-pixel border is skipped (filters pad it).
        let (sumOfSquares, count) = residual.withUnsafeBytes { residualBytes in
            gradient.withUnsafeBytes { gradientBytes in
                Self.flatResidualSum(residual: residualBytes, gradient: gradientBytes, width: width, height: height)
            }
        }
        guard count > 0 else { return 0 }
        return (sumOfSquares / Double(count)).squareRoot() * Self.noiseCalibration
    }

    /// Sum of squared residuals and their count over the inner pixels whose gradient is at or
    /// below the `flatFraction` quantile of all inner gradients.
    private static func flatResidualSum(residual: UnsafeRawBufferPointer, gradient: UnsafeRawBufferPointer,
                                        width: Int, height: Int) -> (Double, Int) {
        var histogram = [Int](repeating: 0, count: 256)
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) { histogram[Int(gradient[y * width + x])] += 1 }
        }
        let inner = (width - 2) * (height - 2)
        var threshold = 0
        var below = histogram[0]
        while Double(below) < flatFraction * Double(inner) && threshold < 255 {
            threshold += 1
            below += histogram[threshold]
        }
        var sumOfSquares = 0
        var count = 0
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) where Int(gradient[y * width + x]) <= threshold {
                let r = Int(residual[y * width + x])
                sumOfSquares += r * r
                count += 1
            }
        }
        return (Double(sumOfSquares), count)
    }
}
