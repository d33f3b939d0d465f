import CVips
import Foundation

/// A 64-bit difference hash (dHash) of an image: the picture shrunk to 9 x 8 grey pixels, one bit
/// per horizontally adjacent pair (set when the left pixel is brighter). Re-encoding, resizing,
/// mild compression and small colour changes move few bits, so the Hamming distance between two
/// hashes tells identical-looking images apart from different ones — what a takedown needs to
/// find the copies of an image that are not byte-identical.
public struct PerceptualHash: Sendable, Hashable, CustomStringConvertible {
    public let value: UInt64

    /// Two images whose hashes differ in at most this many of the 64 bits are treated as copies
    /// of each other. 10 catches re-encoded (JPEG q 50+), resized (down to 1/4) and slightly
    /// cropped or brightened copies in the takedown tests, while unrelated images differ in ~32
    /// bits on average (docs/security.md, "Takedown").
    public static let nearDuplicateDistance = 10

    public init(_ value: UInt64) { self.value = value }

    /// From the 16 hex digits `description` writes; nil for anything else.
    public init?(hex: String) {
        guard hex.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.value = value
    }

    /// Number of differing bits (0...64).
    public func distance(to other: PerceptualHash) -> Int { (value ^ other.value).nonzeroBitCount }

    public func isNearDuplicate(of other: PerceptualHash, within distance: Int = nearDuplicateDistance) -> Bool {
        self.distance(to: other) <= distance
    }

    /// 16 lower-case hex digits (what the catalog stores).
    public var description: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension ImageWorkshop {
    /// The dHash of a verified image (its pixels as displayed: upright, sRGB, alpha over white).
    public func perceptualHash(_ image: VerifiedImage) throws(ImageProcessingError) -> PerceptualHash {
        // From the shared analysis copy, not the full decode: the reduction to 9 × 8 is a fraction
        // of the cost, and every hash is taken the same way, so near copies still match.
        let pixels = try image.analysisPixels()
        // One libvips operation (the reduction); the luma, with alpha over white, in C.
        let small = try pixels.resized(horizontalScale: 9 / Double(pixels.width), verticalScale: 8 / Double(pixels.height),
                                       kernel: VIPS_KERNEL_LINEAR).copiedToMemory()
        let width = small.width, height = small.height, bands = small.bands
        guard width >= 9, height >= 8 else {
            throw .libvipsFailed(operation: "resize", reason: "shrinking to 9 x 8 gave \(width) x \(height)")
        }
        let grey = try small.withPixelBytes { raw in
            [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
                cvips_measure_luma(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(width), Int32(height),
                                   Int32(bands), buffer.baseAddress!)
                count = width * height
            }
        }
        var value: UInt64 = 0
        for row in 0..<8 {
            for column in 0..<8 {
                let left = grey[row * width + column], right = grey[row * width + column + 1]
                value = value << 1 | (left > right ? 1 : 0)
            }
        }
        return PerceptualHash(value)
    }

    /// The dHash of encoded bytes (PNG, JPEG, WebP, AVIF), after the same input checks as a
    /// provider's output.
    public func perceptualHash(of bytes: Data, declaredMIMEType: String? = nil) throws -> PerceptualHash {
        try perceptualHash(try verify(bytes, declaredMIMEType: declaredMIMEType))
    }
}
