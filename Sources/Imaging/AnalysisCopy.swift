import CVips
import Foundation

/// A verified image at the analysis scale (512 px long edge, Lanczos3, in memory), made once
/// and shared by everything that looks at a small version of it: the quality score's sharpness
/// and colour cast, the dominant colours, the perceptual hash and the nudity detector's copy.
/// Each of them used to resize the full decode on its own; four resizes of a 1024² image were
/// half of `serve`'s CPU per image (Benchmarks/README.md).
final class AnalysisCopy: @unchecked Sendable {
    private let lock = NSLock()
    private var made: VipsImageHandle?

    /// The copy of `full` (made on the first call), or `full` itself when it is no larger.
    func pixels(of full: VipsImageHandle) throws(ImageProcessingError) -> VipsImageHandle {
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        let copy = try Self.scaled(full, toLongEdge: QualityMeasurer.analysisLongEdge)
        made = copy
        return copy
    }

    /// `image` with its long edge at most `longEdge` (Lanczos3), in memory because it is read
    /// several times; the image itself when it is already that small.
    static func scaled(_ image: VipsImageHandle, toLongEdge longEdge: Int) throws(ImageProcessingError) -> VipsImageHandle {
        guard max(image.width, image.height) > longEdge else { return image }
        let size = DerivativeSize(name: "analysis", longEdge: longEdge)
            .dimensions(forSourceWidth: image.width, height: image.height)
        return try image.resized(horizontalScale: Double(size.width) / Double(image.width),
                                 verticalScale: Double(size.height) / Double(image.height),
                                 kernel: VIPS_KERNEL_LANCZOS3).copiedToMemory()
    }
}
