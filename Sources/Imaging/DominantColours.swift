import CVips
import Foundation

/// The colours that cover most of an image, named with the tag vocabulary's colour terms, so
/// an image is found by `--tag navy` even when its prompt never said navy.
///
/// Each pixel of a 64 px copy goes to the nearest named colour in CIELAB (ΔE76: perceptual
/// enough to tell navy from blue and cream from white at this coarseness); a colour is
/// dominant when it covers at least `minimumShare` of the image. Names are ordered by share.
public struct DominantColours: Sendable {
    public static let analysisLongEdge = 64
    public var minimumShare: Double
    public var maximumCount: Int

    public init(minimumShare: Double = 0.2, maximumCount: Int = 3) {
        self.minimumShare = minimumShare
        self.maximumCount = maximumCount
    }

    /// Reference sRGB values for the vocabulary's plain colour terms (metallics and shades
    /// that need texture to tell apart, e.g. gold vs yellow ochre, are left to the prompt).
    static let palette: [(name: String, lab: (Double, Double, Double))] = [
        ("black", (0, 0, 0)), ("white", (255, 255, 255)), ("grey", (128, 128, 128)), ("ivory", (240, 234, 214)),
        ("beige", (214, 196, 168)), ("brown", (110, 70, 40)), ("terracotta", (196, 98, 66)), ("red", (200, 25, 30)),
        ("burgundy", (110, 20, 40)), ("pink", (235, 140, 170)), ("orange", (240, 130, 30)), ("yellow", (240, 215, 40)),
        ("green", (50, 140, 60)), ("sage green", (150, 170, 130)), ("teal", (0, 128, 128)), ("blue", (40, 100, 210)),
        ("navy", (20, 30, 80)), ("purple", (110, 50, 150)), ("lavender", (180, 160, 220)),
    ].map { ($0.0, lab(red: $0.1.0, green: $0.1.1, blue: $0.1.2)) }

    /// Names of the dominant colours of 8-bit sRGB pixels (3 or 4 bands, alpha ignored).
    func names(ofPixels pixels: UnsafeRawBufferPointer, bands: Int) -> [String] {
        let bytes = pixels.bindMemory(to: UInt8.self)
        let count = bytes.count / bands
        guard count > 0 else { return [] }
        var tally = [Int](repeating: 0, count: Self.palette.count)
        Self.nearestByCell.withUnsafeBufferPointer { nearest in
            for p in 0..<count {
                let o = p * bands
                let (r, g, b) = (bytes[o], bytes[o + 1], bytes[o + 2])
                let known = nearest[Int(r >> 3) << 10 | Int(g >> 3) << 5 | Int(b >> 3)]
                tally[known == Self.ambiguous ? Self.nearestEntry(red: r, green: g, blue: b) : Int(known)] += 1
            }
        }
        return tally.enumerated()
            .filter { Double($0.element) / Double(count) >= minimumShare }
            .sorted { $0.element > $1.element }
            .prefix(maximumCount)
            .map { Self.palette[$0.offset].name }
    }

    /// The palette entry nearest (ΔE76) to an sRGB colour, in CIELAB through a table for the
    /// sRGB linearisation (`cvips_measure_lab`).
    static func nearestEntry(red: UInt8, green: UInt8, blue: UInt8) -> Int {
        var c = (0.0, 0.0, 0.0)
        withUnsafeMutableBytes(of: &c) { cvips_measure_lab(red, green, blue, $0.baseAddress!.assumingMemoryBound(to: Double.self)) }
        return nearestEntry(lab: c)
    }

    private static func nearestEntry(lab c: (Double, Double, Double)) -> Int {
        var best = 0, bestDistance = Double.infinity
        for (i, entry) in palette.enumerated() {
            let d = (c.0 - entry.lab.0) * (c.0 - entry.lab.0) + (c.1 - entry.lab.1) * (c.1 - entry.lab.1)
                + (c.2 - entry.lab.2) * (c.2 - entry.lab.2)
            if d < bestDistance { bestDistance = d; best = i }
        }
        return best
    }

    private static let ambiguous = UInt8.max

    /// For each cube of 8 × 8 × 8 sRGB values (5 bits per channel), the palette entry nearest
    /// to all eight of its corners, or `ambiguous` when they differ (a colour boundary crosses
    /// it: its pixels are converted one by one). Built once per process from 33³ conversions,
    /// so most pixels cost a lookup instead of a CIELAB conversion (three `cbrt`s) and 19
    /// distances.
    static let nearestByCell: [UInt8] = {
        let steps = 33
        let level = { (i: Int) in UInt8(min(255, i * 8)) }
        var corner = [UInt8](repeating: 0, count: steps * steps * steps)
        for r in 0..<steps {
            for g in 0..<steps {
                for b in 0..<steps {
                    corner[(r * steps + g) * steps + b] = UInt8(nearestEntry(red: level(r), green: level(g), blue: level(b)))
                }
            }
        }
        var cells = [UInt8](repeating: 0, count: 32 * 32 * 32)
        for r in 0..<32 {
            for g in 0..<32 {
                for b in 0..<32 {
                    let first = corner[(r * steps + g) * steps + b]
                    var same = true
                    for dr in 0...1 { for dg in 0...1 { for db in 0...1 {
                        same = same && corner[((r + dr) * steps + g + dg) * steps + b + db] == first
                    } } }
                    cells[r << 10 | g << 5 | b] = same ? first : ambiguous
                }
            }
        }
        return cells
    }()

    func names(of image: VipsImageHandle) throws(ImageProcessingError) -> [String] {
        let scale = Double(Self.analysisLongEdge) / Double(max(image.width, image.height, 1))
        let small = scale < 1
            ? try image.resized(horizontalScale: scale, verticalScale: scale, kernel: VIPS_KERNEL_LINEAR).copiedToMemory()
            : image
        let bands = small.bands
        guard bands >= 3 else { return [] }
        return try small.withPixelBytes { names(ofPixels: $0, bands: bands) }
    }

    /// CIELAB (D65) of an 8-bit sRGB colour.
    static func lab(red: Double, green: Double, blue: Double) -> (Double, Double, Double) {
        func linear(_ v: Double) -> Double {
            let c = v / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        let r = linear(red), g = linear(green), b = linear(blue)
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }
}
