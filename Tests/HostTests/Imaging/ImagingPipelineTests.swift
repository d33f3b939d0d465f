import CVips
import Foundation
import XCTest
@testable import Host
@testable import Imaging

/// Post-processing: derivatives' sizes, formats, aspect ratio, metadata, and the enhancement.
final class ImagingPipelineTests: XCTestCase {
    private func process(_ bytes: Data, profile: ImagingProfile = ImagingProfile()) throws -> PostProcessingResult {
        let workshop = try ImageWorkshop()
        return try workshop.process(try workshop.verify(bytes), profile: profile)
    }

    /// Checks each derivative's bytes really are its format at its stated size.
    private func assertDerivativesDecode(_ result: PostProcessingResult, file: StaticString = #filePath, line: UInt = #line) throws {
        for derivative in result.derivatives {
            XCTAssertEqual(ImageSignature(of: derivative.bytes), .supported(derivative.format),
                           "\(derivative.variant) bytes are not \(derivative.format)", file: file, line: line)
            let decoded = try ImagingFixtures.decodeAnything(derivative.bytes)
            XCTAssertEqual(decoded.width, derivative.width, "\(derivative.variant).\(derivative.format)", file: file, line: line)
            XCTAssertEqual(decoded.height, derivative.height, "\(derivative.variant).\(derivative.format)", file: file, line: line)
        }
    }

    func testDefaultProfileRendersThreeSizesInJPEGAndWebP() throws {
        let result = try process(ImagingFixtures.scenePNG(width: 1600, height: 1000))
        XCTAssertEqual(result.derivatives.map { "\($0.variant).\($0.format.rawValue) \($0.width)x\($0.height)" }, [
            "master.jpeg 1600x1000", "master.webp 1600x1000",
            "publish.jpeg 1080x675", "publish.webp 1080x675",
            "thumbnail.jpeg 256x160", "thumbnail.webp 256x160",
        ])
        try assertDerivativesDecode(result)
        XCTAssertEqual(result.derivative("publish", .jpeg)?.mimeType, "image/jpeg")
        XCTAssertEqual(result.derivative("thumbnail", .webp)?.fileExtension, "webp")
    }

    func testPortraitKeepsAspectRatio() throws {
        let result = try process(ImagingFixtures.scenePNG(width: 900, height: 1400))
        let sizes = Dictionary(result.derivatives.map { ($0.variant, ($0.width, $0.height)) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(sizes["publish"]?.0, 694)    // 900 * 1080 / 1400 = 694.3
        XCTAssertEqual(sizes["publish"]?.1, 1080)
        XCTAssertEqual(sizes["thumbnail"]?.0, 165)  // 900 * 256 / 1400 = 164.6
        XCTAssertEqual(sizes["thumbnail"]?.1, 256)
        for derivative in result.derivatives {
            let ratio = Double(derivative.width) / Double(derivative.height)
            XCTAssertEqual(ratio, 900.0 / 1400.0, accuracy: 1.0 / Double(derivative.height), derivative.variant)
        }
        try assertDerivativesDecode(result)
    }

    func testSmallImageIsNeverUpscaled() throws {
        let result = try process(ImagingFixtures.scenePNG(width: 200, height: 120))
        XCTAssertEqual(result.derivatives.count, 6)
        for derivative in result.derivatives {
            XCTAssertEqual(derivative.width, 200, derivative.variant)
            XCTAssertEqual(derivative.height, 120, derivative.variant)
        }
        try assertDerivativesDecode(result)
    }

    func testEqualSizesAreEncodedOnce() throws {
        // 1000 px is under the 1080 px "publish" edge, so publish is the master's pixels.
        let result = try process(ImagingFixtures.scenePNG(width: 1000, height: 700))
        XCTAssertEqual(result.derivative("publish", .webp)?.bytes, result.derivative("master", .webp)?.bytes)
        XCTAssertNotEqual(result.derivative("thumbnail", .webp)?.bytes, result.derivative("master", .webp)?.bytes)
    }

    func testLocationMetadataIsStrippedFromEveryDerivative() throws {
        let tainted = try ImagingFixtures.jpegWithLocationMetadata(width: 640, height: 400)
        // The input really carries the location, or this test proves nothing.
        let input = try ImagingFixtures.decodeAnything(tainted)
        XCTAssertTrue(input.metadataFieldNames.contains("exif-data"))
        XCTAssertTrue(input.metadataFieldNames.contains("exif-ifd3-GPSLatitude"))
        XCTAssertTrue(input.metadataFieldNames.contains("xmp-data"))

        var profile = ImagingProfile()
        profile.formats.avif.enabled = true
        profile.sizes = [.master, .thumbnail]
        let result = try process(tainted, profile: profile)
        XCTAssertEqual(result.derivatives.count, 6)
        for derivative in result.derivatives {
            let fields = try ImagingFixtures.decodeAnything(derivative.bytes).metadataFieldNames
            let leaked = fields.filter { $0.hasPrefix("exif") || $0.hasPrefix("xmp") || $0.hasPrefix("icc") || $0.hasPrefix("iptc") }
            XCTAssertEqual(leaked, [], "\(derivative.variant).\(derivative.format) kept metadata")
            for marker in ["LeakyCam", "GPSLatitude", "Exif", "xmpmeta", "48,51.494N"] {
                XCTAssertNil(derivative.bytes.range(of: Data(marker.utf8)), "\(derivative.variant).\(derivative.format) contains \(marker)")
            }
        }
    }

    func testOriginalBytesAreNotModified() throws {
        let original = try ImagingFixtures.jpegWithLocationMetadata(width: 320, height: 200)
        let copy = Data(original)
        _ = try process(original)
        XCTAssertEqual(original, copy)
    }

    func testAVIFIsWrittenWhenEnabled() throws {
        var profile = ImagingProfile(sizes: [.thumbnail])
        profile.formats = OutputFormats(jpeg: JPEGOptions(enabled: false), webp: WebPOptions(enabled: false),
                                        avif: AVIFOptions(enabled: true, quality: 50, effort: 0))
        let result = try process(ImagingFixtures.scenePNG(width: 300, height: 200), profile: profile)
        XCTAssertEqual(result.derivatives.map(\.format), [.avif])
        XCTAssertEqual(result.derivatives.first?.mimeType, "image/avif")
        try assertDerivativesDecode(result)
    }

    func testTransparencyIsFlattenedForJPEGAndKeptForWebP() throws {
        let result = try process(ImagingFixtures.scenePNG(width: 300, height: 200, alpha: true),
                                 profile: ImagingProfile(sizes: [.thumbnail]))
        let jpeg = try ImagingFixtures.decodeAnything(XCTUnwrap(result.derivative("thumbnail", .jpeg)).bytes)
        let webp = try ImagingFixtures.decodeAnything(XCTUnwrap(result.derivative("thumbnail", .webp)).bytes)
        XCTAssertEqual(jpeg.bands, 3)
        XCTAssertEqual(webp.bands, 4)
        // The transparent left strip is white on the JPEG.
        let corner = try jpeg.area(left: 0, top: 50, width: 4, height: 4).average()
        XCTAssertGreaterThan(corner, 240)
    }

    func testCategoryPicksItsProfile() throws {
        let icons = ImagingProfile(enhancement: .off, sizes: [DerivativeSize(name: "icon", longEdge: 64)],
                                   formats: OutputFormats(jpeg: JPEGOptions(enabled: false)))
        let configuration = ImagingConfiguration(profiles: ["default": ImagingProfile(), "icons": icons],
                                                 categoryProfiles: ["app-icons": "icons"])
        let workshop = try ImageWorkshop(configuration: configuration)
        let image = try workshop.verify(ImagingFixtures.scenePNG(width: 400, height: 400))
        let result = try workshop.process(image, category: "app-icons")
        XCTAssertEqual(result.derivatives.map { "\($0.variant).\($0.format.rawValue) \($0.width)x\($0.height)" }, ["icon.webp 64x64"])
        XCTAssertEqual(result.enhancement, AppliedEnhancement())
        XCTAssertEqual(try workshop.process(image, category: "landscapes").derivatives.count, 6)
        XCTAssertThrowsError(try workshop.process(image, profileNamed: "nope")) { error in
            XCTAssertTrue("\(error)".contains("nope"))
        }
    }

    func testLevelsStretchLowContrastImageWithinClippingBudget() throws {
        // A washed-out scene: every value squeezed into 70...185.
        let pixels = ImagingFixtures.scenePixels(width: 400, height: 300).map { UInt8(70 + Int($0) * 115 / 255) }
        let image = try VipsImageHandle.fromPixels(pixels, width: 400, height: 300, bands: 3)
        let settings = EnhancementSettings(maxClippedFraction: 0.01, maxGain: 2, sharpen: false)
        let (enhanced, applied) = try AutoEnhancer(settings: settings).enhance(image)

        let before = try image.standardDeviation()
        let after = try enhanced.standardDeviation()
        XCTAssertGreaterThan(after, before * 1.3, "the stretch should raise contrast")
        XCTAssertNotNil(applied.blackPoint)
        XCTAssertLessThanOrEqual(applied.clippedFraction, 0.01)
        XCTAssertLessThanOrEqual(try clippedFraction(enhanced) - clippedFraction(image), 0.01 + 1e-9)
        XCTAssertFalse(applied.sharpened)
    }

    func testLevelsNeverClipMoreThanTheBudgetOnAHighContrastImage() throws {
        // Already spans 0...255 with much of it near the ends: clipping budget is what limits.
        let pixels = ImagingFixtures.addingNoise(to: ImagingFixtures.scenePixels(width: 300, height: 200), sigma: 25)
        let image = try VipsImageHandle.fromPixels(pixels, width: 300, height: 200, bands: 3)
        for budget in [0.0, 0.002, 0.02] {
            let settings = EnhancementSettings(maxClippedFraction: budget, maxGain: 4, sharpen: false)
            let (enhanced, applied) = try AutoEnhancer(settings: settings).enhance(image)
            XCTAssertLessThanOrEqual(try clippedFraction(enhanced) - clippedFraction(image), budget + 1e-9, "budget \(budget)")
            XCTAssertLessThanOrEqual(applied.clippedFraction, budget + 1e-9)
        }
    }

    func testSharpenIsSwitchableAndKeepsThePixelLayout() throws {
        let image = try ImagingFixtures.scene(width: 200, height: 100)
        let (sharpened, applied) = try AutoEnhancer(settings: EnhancementSettings(levels: false)).enhance(image)
        XCTAssertTrue(applied.sharpened)
        XCTAssertEqual(sharpened.bands, 3)
        XCTAssertEqual(sharpened.bandFormat, VIPS_FORMAT_UCHAR)
        XCTAssertEqual(sharpened.interpretation, VIPS_INTERPRETATION_sRGB)
        XCTAssertNotEqual(try sharpened.pixelData(), try image.pixelData())
        let (untouched, none) = try AutoEnhancer(settings: .off).enhance(image)
        XCTAssertEqual(none, AppliedEnhancement())
        XCTAssertEqual(try untouched.pixelData(), try image.pixelData())
    }

    /// Fraction of pixels with any channel at 0 or 255.
    private func clippedFraction(_ image: VipsImageHandle) throws -> Double {
        let data = try image.pixelData()
        let bands = image.bands
        var clipped = 0
        for pixel in stride(from: 0, to: data.count, by: bands) {
            if (0..<bands).contains(where: { data[pixel + $0] == 0 || data[pixel + $0] == 255 }) { clipped += 1 }
        }
        return Double(clipped) / Double(data.count / bands)
    }
}
