import CVips
import Foundation
import XCTest
@testable import Host
@testable import Imaging

/// Input checks: what a provider returns is verified before anything else touches it.
final class ImagingVerificationTests: XCTestCase {
    private func workshop(limits: InputLimits = InputLimits()) throws -> ImageWorkshop {
        try ImageWorkshop(configuration: ImagingConfiguration(limits: limits))
    }

    private func assertRefused(_ bytes: Data, declared: String? = nil, limits: InputLimits = InputLimits(),
                               file: StaticString = #filePath, line: UInt = #line,
                               _ check: (ImageInputError) -> Bool) throws {
        let workshop = try workshop(limits: limits)
        do {
            let image = try workshop.verify(bytes, declaredMIMEType: declared)
            XCTFail("accepted \(image.width)x\(image.height) \(image.format) but should have refused", file: file, line: line)
        } catch {
            XCTAssertTrue(check(error), "refused for the wrong reason: \(error)", file: file, line: line)
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
        }
    }

    func testAcceptsPNGWithMatchingDeclaredTypeAndReportsDimensions() throws {
        let png = try ImagingFixtures.scenePNG(width: 320, height: 200)
        let image = try workshop().verify(png, declaredMIMEType: "image/png; charset=binary")
        XCTAssertEqual(image.format, .png)
        XCTAssertEqual(image.width, 320)
        XCTAssertEqual(image.height, 200)
        XCTAssertEqual(image.byteCount, png.count)
        XCTAssertFalse(image.hasAlpha)
    }

    func testAcceptsJPEGAndWebPWithoutDeclaredType() throws {
        let scene = try ImagingFixtures.scene(width: 120, height: 80)
        let jpeg = try scene.encoded(.jpeg(quality: 80, progressive: true, background: .white))
        let webp = try scene.encoded(.webp(quality: 80, effort: 2))
        XCTAssertEqual(try workshop().verify(jpeg, declaredMIMEType: "image/jpg").format, .jpeg)
        XCTAssertEqual(try workshop().verify(webp).format, .webp)
    }

    func testDecompressionBombIsRefusedFromItsHeader() throws {
        // 83 bytes that declare 100 000 x 100 000 pixels: refused on the dimensions, never decoded.
        try assertRefused(ImagingFixtures.decompressionBombPNG, declared: "image/png") {
            $0 == .dimensionsExceedLimit(width: 100_000, height: 100_000, limit: "maxWidth 8192 (imaging.limits.maxWidth)")
        }
    }

    func testPixelCountLimitIsEnforced() throws {
        let png = try ImagingFixtures.scenePNG(width: 200, height: 150)
        let limits = InputLimits(maxPixels: 200 * 150 - 1)
        try assertRefused(png, limits: limits) {
            if case let .dimensionsExceedLimit(200, 150, limit) = $0 { return limit.contains("maxPixels") }
            return false
        }
    }

    func testTruncatedPNGIsRefused() throws {
        let png = try ImagingFixtures.scenePNG(width: 300, height: 200)
        try assertRefused(png.prefix(png.count * 6 / 10)) {
            if case .undecodable(.png, _) = $0 { return true }
            return false
        }
    }

    func testTruncatedJPEGIsRefused() throws {
        let jpeg = try ImagingFixtures.scene(width: 300, height: 200)
            .encoded(.jpeg(quality: 90, progressive: false, background: .white))
        try assertRefused(jpeg.prefix(jpeg.count / 2), declared: "image/jpeg") {
            if case .undecodable(.jpeg, _) = $0 { return true }
            return false
        }
    }

    func testCorruptPNGDataIsRefused() throws {
        var png = try ImagingFixtures.scenePNG(width: 300, height: 200)
        // Overwrite a stretch in the middle of the compressed pixel data.
        let middle = png.count / 2
        for offset in 0..<64 { png[middle + offset] ^= 0x5A }
        try assertRefused(png) {
            switch $0 {
            case .undecodable(.png, _), .unreadableHeader(.png, _): true
            default: false
            }
        }
    }

    func testBytesThatAreNoImageAreRefused() throws {
        try assertRefused(Data("{\"error\":\"rate limited\"}".utf8)) {
            if case .unrecognizedFormat = $0 { return true }
            return false
        }
        try assertRefused(Data()) { $0 == .empty }
    }

    func testPNGSignatureFollowedByGarbageIsRefused() throws {
        let bytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(repeating: 0x41, count: 200)
        try assertRefused(bytes) {
            if case .unreadableHeader(.png, _) = $0 { return true }
            return false
        }
    }

    func testWrongDeclaredFormatIsRefused() throws {
        let jpeg = try ImagingFixtures.scene(width: 64, height: 64).encoded(.jpeg(quality: 80, progressive: false, background: .white))
        try assertRefused(jpeg, declared: "image/png") { $0 == .formatMismatch(declared: "image/png", detected: .jpeg) }
        try assertRefused(jpeg, declared: "application/octet-stream") { $0 == .unsupportedDeclaredType("application/octet-stream") }
    }

    func testUnsupportedFormatIsNamed() throws {
        try assertRefused(Data("GIF89a".utf8) + Data(repeating: 0, count: 32)) { $0 == .unsupportedFormat(name: "GIF") }
    }

    func testOversizedInputIsRefusedBeforeDecoding() throws {
        let png = try ImagingFixtures.scenePNG(width: 100, height: 100)
        try assertRefused(png, limits: InputLimits(maxBytes: 100)) { $0 == .tooManyBytes(byteCount: png.count, limit: 100) }
    }

    func testExifOrientationIsAppliedWhenDecoding() throws {
        let jpeg = try ImagingFixtures.jpegWithOrientation6(width: 160, height: 100)
        let image = try workshop().verify(jpeg)
        XCTAssertEqual(image.width, 100, "orientation 6 turns a 160x100 landscape upright into portrait")
        XCTAssertEqual(image.height, 160)
    }

    func testErrorMessagesNameTheLimit() {
        let message = ImageInputError.dimensionsExceedLimit(width: 100_000, height: 100_000,
                                                             limit: "maxWidth 8192 (imaging.limits.maxWidth)").description
        XCTAssertTrue(message.contains("100000x100000"))
        XCTAssertTrue(message.contains("imaging.limits.maxWidth"))
    }

    func testAVIFInputIsAccepted() throws {
        let avif = try ImagingFixtures.scene(width: 96, height: 64).encoded(.avif(quality: 60, effort: 0))
        let image = try workshop().verify(avif, declaredMIMEType: "image/avif")
        XCTAssertEqual(image.format, .avif)
        XCTAssertEqual(image.width, 96)
        XCTAssertEqual(image.height, 64)
    }

    func testSixteenBitAndGreyInputsAreNormalisedTo8BitSRGB() throws {
        let scene = try ImagingFixtures.scene(width: 64, height: 48)
        // 16 bits per sample: libvips writes a 16-bit PNG for an RGB16 image.
        let deep = try scene.colourspace(VIPS_INTERPRETATION_RGB16).copiedToMemory()
        XCTAssertEqual(deep.bandFormat, VIPS_FORMAT_USHORT)
        let grey = try scene.colourspace(VIPS_INTERPRETATION_B_W)
        for (name, source) in [("16-bit", deep), ("grey", grey)] {
            let png = try source.encoded(.png(compression: 1))
            XCTAssertEqual(try ImagingFixtures.decodeAnything(png).bandFormat, name == "16-bit" ? VIPS_FORMAT_USHORT : VIPS_FORMAT_UCHAR)
            let image = try workshop().verify(png)
            XCTAssertEqual(image.pixels.bands, 3, name)
            XCTAssertEqual(image.pixels.bandFormat, VIPS_FORMAT_UCHAR, name)
            XCTAssertEqual(image.pixels.interpretation, VIPS_INTERPRETATION_sRGB, name)
        }
        // The 16-bit scene comes back at the same 8-bit values (within rounding).
        let back = try workshop().verify(deep.encoded(.png(compression: 1))).pixels
        XCTAssertEqual(try back.average(), try scene.average(), accuracy: 1)
    }
}
