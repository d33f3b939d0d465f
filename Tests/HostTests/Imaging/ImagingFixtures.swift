import CVips
import Foundation
@testable import Host
@testable import Imaging

/// Deterministic test images, generated in the tests (no image files checked in): a colour
/// gradient with flat shapes, a dark disc and a patch of fine stripes, so every quality
/// component has something to measure. Variants (blurred, crushed, noisy, tinted) derive from it.
enum ImagingFixtures {
    /// RGB (or RGBA) pixels of the scene, row by row, band-interleaved.
    static func scenePixels(width: Int, height: Int, alpha: Bool = false) -> [UInt8] {
        let bands = alpha ? 4 : 3
        var pixels = [UInt8](repeating: 0, count: width * height * bands)
        let discX = Double(width) * 0.65, discY = Double(height) * 0.5
        let discRadius = Double(min(width, height)) * 0.2
        for y in 0..<height {
            for x in 0..<width {
                let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
                var rgb = (40 + 160 * fx, 60 + 120 * fy, 150 - 80 * fx)
                if (0.1..<0.4).contains(fx) && (0.2..<0.6).contains(fy) { rgb = (220, 60, 40) }
                let dx = Double(x) - discX, dy = Double(y) - discY
                if dx * dx + dy * dy < discRadius * discRadius { rgb = (30, 30, 30) }
                if (0.7..<0.95).contains(fx) && (0.1..<0.3).contains(fy) {
                    rgb = (x / 3) % 2 == 0 ? (235, 235, 235) : (20, 20, 20)
                }
                let i = (y * width + x) * bands
                pixels[i] = UInt8(rgb.0.rounded())
                pixels[i + 1] = UInt8(rgb.1.rounded())
                pixels[i + 2] = UInt8(rgb.2.rounded())
                if alpha { pixels[i + 3] = fx < 0.05 ? 0 : 255 }
            }
        }
        return pixels
    }

    /// Starts libvips the way the host does, once, before any fixture touches it: a libvips
    /// call made first would start the library by itself, with all its modules
    /// (see `VipsModuleSelection`).
    private static let libvipsStarted: Bool = (try? ImageWorkshop().start()) != nil  // try?: a libvips that cannot start makes the imaging tests fail on their own checks

    static func scene(width: Int, height: Int, alpha: Bool = false) throws -> VipsImageHandle {
        precondition(libvipsStarted, "libvips did not start")
        return try VipsImageHandle.fromPixels(scenePixels(width: width, height: height, alpha: alpha),
                                       width: width, height: height, bands: alpha ? 4 : 3)
    }

    /// `pixels` with seeded Gaussian noise of standard deviation `sigma` added to every sample.
    static func addingNoise(to pixels: [UInt8], sigma: Double, seed: UInt64 = 42) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        return pixels.map { value in
            UInt8(max(0, min(255, (Double(value) + sigma * random.nextGaussian()).rounded())))
        }
    }

    /// `image` with seeded Gaussian noise of standard deviation `sigma` grey levels, the same
    /// on every channel (so the luminance carries noise of that σ), made by libvips.
    static func addingNoise(to image: VipsImageHandle, sigma: Double, seed: Int32 = 7) throws -> VipsImageHandle {
        let noise = try VipsImageHandle.produce("gaussnoise") {
            cvips_gaussnoise($0, Int32(image.width), Int32(image.height), 0, sigma, seed)
        }
        return try image.adding(noise).cast(VIPS_FORMAT_UCHAR).copiedToMemory()
    }

    static func png(_ image: VipsImageHandle) throws -> Data { try image.encoded(.png(compression: 1)) }

    static func scenePNG(width: Int, height: Int, alpha: Bool = false) throws -> Data {
        try png(scene(width: width, height: height, alpha: alpha))
    }

    /// A JPEG of the scene that carries GPS coordinates and a camera make in EXIF, and an XMP
    /// packet with a location, the way a phone photo would.
    static func jpegWithLocationMetadata(width: Int, height: Int) throws -> Data {
        let image = try scene(width: width, height: height).copiedToMemory()
        cvips_image_set_string(image.pointer, "exif-ifd0-Make", "LeakyCam")
        cvips_image_set_string(image.pointer, "exif-ifd3-GPSLatitudeRef", "N")
        cvips_image_set_string(image.pointer, "exif-ifd3-GPSLatitude", "48/1 51/1 2964/100")
        cvips_image_set_string(image.pointer, "exif-ifd3-GPSLongitudeRef", "E")
        cvips_image_set_string(image.pointer, "exif-ifd3-GPSLongitude", "2/1 17/1 4022/100")
        let xmp = Array(xmpPacket.utf8)
        xmp.withUnsafeBytes { cvips_image_set_blob_copy(image.pointer, "xmp-data", $0.baseAddress, $0.count) }
        return try image.encoded(.jpeg(quality: 90, progressive: false, background: .white), stripMetadata: false)
    }

    /// A JPEG of the scene stored sideways with EXIF orientation 6 ("rotate 90° clockwise to view").
    static func jpegWithOrientation6(width: Int, height: Int) throws -> Data {
        let image = try scene(width: width, height: height).copiedToMemory()
        cvips_image_set_int(image.pointer, "orientation", 6)
        return try image.encoded(.jpeg(quality: 90, progressive: false, background: .white), stripMetadata: false)
    }

    static let xmpPacket = """
        <?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">\
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description \
        xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.494N" \
        exif:GPSLongitude="2,17.670E"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>
        """

    /// A 83-byte PNG whose header declares 100 000 x 100 000 RGB pixels (30 GB decoded): a
    /// decompression bomb. IHDR and IDAT carry correct CRCs (computed once with Python's
    /// zlib.crc32 when this test was written), so only a dimension limit can stop it.
    static let decompressionBombPNG = Data([
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0, 0x08, 0x02, 0x00, 0x00, 0x00, 0x27, 0x30, 0x9C,
        0x9F, 0x00, 0x00, 0x00, 0x1A, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0xED, 0xC1, 0x01, 0x0D, 0x00,
        0x00, 0x00, 0xC2, 0xA0, 0xF7, 0x4F, 0x6D, 0x0F, 0x07, 0x14, 0x00, 0x00, 0x00, 0xF0, 0x6E, 0x10,
        0x00, 0x00, 0x01, 0x9B, 0x68, 0x54, 0x63, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
        0x42, 0x60, 0x82,
    ])

    /// Reads back an encoded derivative with libvips (any loader), for checking outputs.
    static func decodeAnything(_ bytes: Data) throws -> VipsImageHandle {
        var image: UnsafeMutablePointer<VipsImage>?
        bytes.withUnsafeBytes { raw in
            image = cvips_load_any_buffer_copy(raw.baseAddress, raw.count)
        }
        guard let image else { throw FixtureError.undecodable(VipsErrorBuffer.take()) }
        return VipsImageHandle(owning: image)
    }

    enum FixtureError: Error { case undecodable(String) }
}

extension VipsImageHandle {
    /// A Gaussian-blurred copy (test degradation: the "blurred copy" of the quality tests).
    func gaussianBlurred(sigma: Double) throws -> VipsImageHandle {
        try Self.produce("gaussblur") { cvips_gaussblur(pointer, $0, sigma) }
    }
}

/// SplitMix64 with Box–Muller: reproducible noise for fixtures (not for anything secret).
struct SeededRandom {
    private var state: UInt64
    private var spare: Double?

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextUniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func nextGaussian() -> Double {
        if let spare { self.spare = nil; return spare }
        let u1 = max(nextUniform(), .leastNonzeroMagnitude), u2 = nextUniform()
        let radius = (-2 * log(u1)).squareRoot()
        spare = radius * sin(2 * .pi * u2)
        return radius * cos(2 * .pi * u2)
    }
}
