/// A black-point/white-point stretch of the tonal range, chosen from histograms so that it
/// never newly clips more than a set fraction of the pixels.
///
/// A pixel is clipped to black when its *darkest* channel falls to 0 and to white when its
/// *brightest* channel reaches 255, so the choice uses the histogram of each pixel's minimum
/// and maximum channel. Half the budget goes to each end, and pixels already at 0 or 255 count
/// against it, so an image that already has its share of pure black or white keeps that end.
/// The gain is capped by widening the range into the room on each side (in proportion), which
/// only clips fewer pixels.
struct LevelsAdjustment: Equatable, Sendable {
    /// Input value mapped to 0.
    let blackPoint: Double
    /// Input value mapped to 255.
    let whitePoint: Double
    /// Fraction of all pixels this stretch newly clips (at most the budget it was chosen with).
    let clippedFraction: Double

    /// Multiplier of the linear map `out = (in - blackPoint) * gain`.
    var gain: Double { 255 / (whitePoint - blackPoint) }

    /// The stretch as a lookup table, `round((v − blackPoint) × gain)` clipped to 0...255: the
    /// exact rounding the clipping count in `choose` assumes, and one table lookup per sample.
    var lookupTable: [UInt8] {
        (0...255).map { value in UInt8(max(0, min(255, ((Double(value) - blackPoint) * gain).rounded()))) }
    }

    /// The stretch for an image whose per-pixel channel minimum and maximum have the histograms
    /// `minimumHistogram` and `maximumHistogram` (256 counts each); nil when it would change
    /// next to nothing (gain under 1.01), which saves the work of applying it.
    static func choose(minimumHistogram: [Int], maximumHistogram: [Int],
                       maxClippedFraction: Double, maxGain: Double) -> LevelsAdjustment? {
        precondition(minimumHistogram.count == 256 && maximumHistogram.count == 256, "histograms have 256 bins")
        let pixels = minimumHistogram.reduce(0, +)
        guard pixels > 0 else { return nil }
        let budgetPerEnd = Double(pixels) * maxClippedFraction / 2

        // Largest black point at which all pixels black there (darkest channel 0...black,
        // those already at 0 included) still fit the budget; 0 if the image already has more
        // black than that, so content that spans the full range is left alone.
        var black = 0
        var blackAtOrBelow = minimumHistogram[0]
        while black < 254, Double(blackAtOrBelow + minimumHistogram[black + 1]) <= budgetPerEnd {
            black += 1
            blackAtOrBelow += minimumHistogram[black]
        }
        // Smallest white point likewise (brightest channel white...255).
        var white = 255
        var whiteAtOrAbove = maximumHistogram[255]
        while white > black + 1, Double(whiteAtOrAbove + maximumHistogram[white - 1]) <= budgetPerEnd {
            white -= 1
            whiteAtOrAbove += maximumHistogram[white]
        }
        var low = Double(black)
        var high = Double(white)
        // Newly clipped: those that were not at 0 or 255 already.
        var clipped = (blackAtOrBelow - minimumHistogram[0]) + (whiteAtOrAbove - maximumHistogram[255])

        // Cap the gain: widen [low, high] to 255 / maxGain, sharing the extra width in
        // proportion to the room below and above, so neither end moves past 0 or 255.
        let narrowest = 255 / maxGain
        if high - low < narrowest {
            let extra = narrowest - (high - low)
            let roomBelow = low, roomAbove = 255 - high
            let room = roomBelow + roomAbove
            guard room > 0 else { return nil }
            low -= extra * roomBelow / room
            high += extra * roomAbove / room
            // Recount with the widened range; fewer (never more) pixels clip.
            clipped = 0
            for value in 1...254 {
                if ((Double(value) - low) * 255 / (high - low)).rounded() <= 0 { clipped += minimumHistogram[value] }
                if ((Double(value) - low) * 255 / (high - low)).rounded() >= 255 { clipped += maximumHistogram[value] }
            }
        }
        let adjustment = LevelsAdjustment(blackPoint: low, whitePoint: high, clippedFraction: Double(clipped) / Double(pixels))
        return adjustment.gain < 1.01 ? nil : adjustment
    }
}
