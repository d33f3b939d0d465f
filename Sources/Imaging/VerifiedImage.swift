/// A provider's image that passed every input check, decoded once.
///
/// It holds the decoded pixels (upright, sRGB, 8 bits per sample, in memory) so that
/// post-processing and scoring start from them instead of decoding again. The provider's
/// original bytes are not kept here and never modified: the caller stores those as they came.
public struct VerifiedImage: Sendable {
    /// The format the bytes really are (from their magic number, confirmed by the decoder).
    public let format: ImageFormat
    /// Width in pixels as displayed (after applying any EXIF orientation).
    public let width: Int
    /// Height in pixels as displayed (after applying any EXIF orientation).
    public let height: Int
    /// Size of the provider's original bytes.
    public let byteCount: Int
    /// Whether the image has an alpha (transparency) band.
    public let hasAlpha: Bool
    /// The decoded pixels: sRGB, 8-bit, 3 bands (+ alpha), computed and held in memory,
    /// carrying no metadata at all.
    let pixels: VipsImageHandle
    /// The pixels at the analysis scale, made on first use and shared (`AnalysisCopy`).
    private let analysis = AnalysisCopy()

    init(format: ImageFormat, byteCount: Int, pixels: VipsImageHandle) {
        self.format = format
        self.width = pixels.width
        self.height = pixels.height
        self.byteCount = byteCount
        self.hasAlpha = pixels.hasAlpha
        self.pixels = pixels
    }

    /// The pixels with a long edge of at most 512 (the pixels themselves when no larger).
    func analysisPixels() throws(ImageProcessingError) -> VipsImageHandle {
        try analysis.pixels(of: pixels)
    }
}
