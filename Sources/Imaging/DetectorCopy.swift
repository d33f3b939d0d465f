import CVips
import Foundation

extension ImageWorkshop {
    /// A small PNG of an already verified image for an outside detector (the output nudity check),
    /// so the pipeline's one decode serves it too: the detector reads a few hundred kilobytes
    /// instead of decoding the provider's file again. `scale` maps the copy's pixels to the
    /// image's (`copy = image × scale`); an image already within `longEdge` is copied unscaled.
    public func detectorCopy(_ image: VerifiedImage, longEdge: Int) throws(ImageProcessingError) -> (png: Data, scale: Double) {
        let pixels = image.pixels
        let scale = min(1, Double(longEdge) / Double(max(pixels.width, pixels.height, 1)))
        let small = scale < 1
            ? try pixels.resized(horizontalScale: scale, verticalScale: scale, kernel: VIPS_KERNEL_LINEAR)
            : pixels
        return (try small.encoded(.png(compression: 1)), scale)
    }
}
