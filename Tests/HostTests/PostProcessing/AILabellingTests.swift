import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import ImagegenCore
@testable import Imaging

/// The AI marking (issue 17 item 8, EU AI Act Art. 50): every published derivative carries IPTC
/// `DigitalSourceType` = trainedAlgorithmicMedia and the generator's name in XMP, read back by an
/// independent reader (exiftool, Debian's libimage-exiftool-perl), while provider metadata (EXIF,
/// GPS, the provider's own XMP) is still stripped.
final class AILabellingTests: XCTestCase {
    private func exiftool(_ bytes: Data, ext: String) throws -> [String: Any] {
        try ExifTool.tags(bytes, ext: ext)
    }

    /// The EXIF block libheif files get from libvips 8.14 whenever XMP is written (heifsave with
    /// `strip` off rebuilds one from the pixels' header): technical fields only, never the provider's.
    private static let libvipsHEIFExif: Set<String> = [
        "IFD0:Orientation", "IFD0:ResolutionUnit", "IFD0:XResolution", "IFD0:YResolution", "IFD0:YCbCrPositioning",
        "ExifIFD:ExifImageWidth", "ExifIFD:ExifImageHeight", "ExifIFD:FlashpixVersion", "ExifIFD:ExifVersion",
        "ExifIFD:ComponentsConfiguration", "ExifIFD:ColorSpace",
    ]

    private func assertMarkedAndClean(_ tags: [String: Any], generator: String, _ what: String, heif: Bool = false,
                                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(tags["XMP-iptcExt:DigitalSourceType"] as? String, ProvenanceLabel.trainedAlgorithmicMedia, "\(what): \(tags)",
                       file: file, line: line)
        XCTAssertEqual(tags["XMP-xmp:CreatorTool"] as? String, generator, what, file: file, line: line)
        let leaked = tags.keys.filter { key in
            ["IFD0:", "IFD1:", "ExifIFD:", "GPS:", "InteropIFD:", "XMP-exif:", "XMP-photoshop:", "XMP-tiff:"].contains { key.hasPrefix($0) }
                && !(heif && Self.libvipsHEIFExif.contains(key))
        }
        XCTAssertEqual(leaked, [], "\(what) carries provider metadata", file: file, line: line)
        for (key, value) in tags { XCTAssertFalse("\(value)".contains("LeakyCam"), "\(what): \(key)", file: file, line: line) }
    }

    func testEveryFormatCarriesTheMarkingAndNoProviderMetadata() throws {
        let workshop = try ImageWorkshop()
        // A provider output with GPS, a camera make and its own XMP: all of it must go, the marking must come.
        let tainted = try workshop.verify(try ImagingFixtures.jpegWithLocationMetadata(width: 640, height: 480))
        var profile = ImagingProfile()
        profile.formats.avif.enabled = true
        let label = ProvenanceLabel(model: "flux-schnell", provider: "replicate/black-forest-labs/flux-schnell")
        let result = try workshop.process(tainted, profile: profile, label: label)
        XCTAssertEqual(Set(result.derivatives.map(\.format)), [.jpeg, .webp, .avif])
        for derivative in result.derivatives {
            let tags = try exiftool(derivative.bytes, ext: derivative.fileExtension)
            assertMarkedAndClean(tags, generator: label.generator, "\(derivative.variant) \(derivative.format)",
                                 heif: derivative.format == .avif)
            // Still a valid image of the right size.
            let decoded = try workshop.verify(derivative.bytes)
            XCTAssertEqual(decoded.width, derivative.width)
        }
        // PNG (the encoder the host uses for lossless outputs) carries it too, in an iTXt chunk.
        let png = try tainted.pixels.encoded(.png(compression: 6), label: label)
        assertMarkedAndClean(try exiftool(png, ext: "png"), generator: label.generator, "png")
        XCTAssertEqual(try workshop.verify(png).width, 640)
        // Names that are not XML-safe stay one attribute.
        let odd = ProvenanceLabel(generator: "a \"quoted\" <model> & co")
        let jpeg = try tainted.pixels.encoded(.jpeg(quality: 80, progressive: true, background: .white), label: odd)
        XCTAssertEqual(try exiftool(jpeg, ext: "jpg")["XMP-xmp:CreatorTool"] as? String, odd.generator)
    }

    func testGeneratedDerivativesOnDiskAreMarkedWithTheModel() throws {
        let host = try TestHost(label: "ai-label")
        let result = try host.cli(["generate", "--prompt", "a red teapot", "--model", "preview", "--width", "512", "--height", "384"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let catalog = try host.catalog()
        let original = try XCTUnwrap(try catalog.images(ImageFilter()).first)
        let derivatives = try catalog.derivatives(of: original.imageID)
        XCTAssertEqual(derivatives.count, 6)
        for derivative in derivatives {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: host.paths.data + "/" + derivative.filePath))
            let tags = try exiftool(bytes, ext: (derivative.filePath as NSString).pathExtension)
            assertMarkedAndClean(tags, generator: "imagegen (model preview, \(original.metadata.apiUsed))", derivative.imageID)
        }
    }
}
