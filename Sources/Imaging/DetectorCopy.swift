import CVips
import Foundation

extension ImageWorkshop {
    /// A small PNG of an already verified image for an outside detector (the output nudity check),
    /// so the pipeline's one decode serves it too: the detector reads a few hundred kilobytes
    /// instead of decoding the provider's file again. `scale` maps the copy's pixels to the
    /// image's (`copy = image × scale`); an image already within `longEdge` is copied unscaled.
    public func detectorCopy(_ image: VerifiedImage, longEdge: Int) throws(ImageProcessingError) -> (png: Data, scale: Double) {
        let scale = min(1, Double(longEdge) / Double(max(image.width, image.height, 1)))
        guard scale < 1 else { return (try image.pixels.encoded(.png(compression: 1)), 1) }
        // Reduced from the shared analysis copy (512 px) rather than the full decode, when the
        // copy is at least as large as the one asked for (a larger one must come from the decode).
        let source = longEdge <= QualityMeasurer.analysisLongEdge ? try image.analysisPixels() : image.pixels
        let step = min(1, Double(longEdge) / Double(max(source.width, source.height, 1)))
        let small = step < 1 ? try source.resized(horizontalScale: step, verticalScale: step, kernel: VIPS_KERNEL_LINEAR) : source
        return (try small.encoded(.png(compression: 1)), scale)
    }
}
