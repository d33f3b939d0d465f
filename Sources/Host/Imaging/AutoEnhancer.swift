import CVips

/// The gentle automatic enhancement: a levels stretch that respects a clipping budget
/// (`LevelsAdjustment`), then a mild sharpen of the lightness in detailed areas only.
/// Alpha passes through untouched.
struct AutoEnhancer: Sendable {
    let settings: EnhancementSettings

    /// The enhanced image (lazy) and a record of what was done. `image` is upright 8-bit sRGB.
    func enhance(_ image: VipsImageHandle) throws(ImageProcessingError) -> (image: VipsImageHandle, applied: AppliedEnhancement) {
        var applied = AppliedEnhancement()
        var colour = image.hasAlpha ? try image.bands(from: 0, count: image.bands - 1) : image
        let alpha = image.hasAlpha ? try image.bands(from: image.bands - 1, count: 1) : nil

        if settings.levels, let levels = try chooseLevels(for: colour) {
            let gain = levels.gain
            let bandCount = colour.bands
            colour = try colour.linear(multiply: Array(repeating: gain, count: bandCount),
                                       add: Array(repeating: -levels.blackPoint * gain, count: bandCount),
                                       clipToByte: true)
            applied.blackPoint = levels.blackPoint
            applied.whitePoint = levels.whitePoint
            applied.clippedFraction = levels.clippedFraction
        }
        if settings.sharpen && colour.bands >= 3 {
            colour = try colour.sharpened(sigma: settings.sharpenSigma, threshold: settings.sharpenFlatThreshold,
                                          flatAmount: 0, jaggedAmount: settings.sharpenAmount)
            // libvips sharpens in LabS; bring the result back to the 8-bit sRGB every later step expects.
            if colour.interpretation != VIPS_INTERPRETATION_sRGB || colour.bandFormat != VIPS_FORMAT_UCHAR {
                colour = try colour.colourspace(VIPS_INTERPRETATION_sRGB)
            }
            applied.sharpened = true
        }
        guard applied != AppliedEnhancement() else { return (image, applied) }
        let result = if let alpha { try colour.joiningBands(alpha) } else { colour }
        return (result, applied)
    }

    private func chooseLevels(for colour: VipsImageHandle) throws(ImageProcessingError) -> LevelsAdjustment? {
        let darkest = colour.bands > 1 ? try colour.bandRank(0) : colour
        let brightest = colour.bands > 1 ? try colour.bandRank(colour.bands - 1) : colour
        return LevelsAdjustment.choose(minimumHistogram: try darkest.histogram(),
                                       maximumHistogram: try brightest.histogram(),
                                       maxClippedFraction: settings.maxClippedFraction,
                                       maxGain: settings.maxGain)
    }
}
