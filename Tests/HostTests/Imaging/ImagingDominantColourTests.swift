import CVips
import Foundation
import XCTest
@testable import Imaging

/// Dominant colours are measured on the image and named with the tag vocabulary's colour terms.
final class ImagingDominantColourTests: XCTestCase {
    private func colours(_ regions: [(share: Double, rgb: (UInt8, UInt8, UInt8))], width: Int = 300, height: Int = 200,
                         alpha: Bool = false) throws -> [String] {
        var pixels: [UInt8] = []
        let bands = alpha ? 4 : 3
        for y in 0..<height {
            // Horizontal bands, each as tall as its share.
            var acc = 0.0, colour = regions[0].rgb
            for region in regions {
                acc += region.share
                if Double(y) / Double(height) < acc { colour = region.rgb; break }
            }
            for _ in 0..<width {
                pixels += [colour.0, colour.1, colour.2]
                if alpha { pixels.append(255) }
            }
        }
        let image = try VipsImageHandle.fromPixels(pixels, width: width, height: height, bands: bands)
        let workshop = try ImageWorkshop(configuration: ImagingConfiguration())
        return try workshop.dominantColours(workshop.verify(ImagingFixtures.png(image)))
    }

    func testOneColourImage() throws {
        XCTAssertEqual(try colours([(1, (205, 30, 35))]), ["red"])
        XCTAssertEqual(try colours([(1, (18, 28, 75))]), ["navy"])
        XCTAssertEqual(try colours([(1, (242, 236, 216))]), ["ivory"])
    }

    func testColoursAreOrderedByShareAndSmallOnesLeftOut() throws {
        XCTAssertEqual(try colours([(0.6, (250, 250, 250)), (0.3, (10, 10, 10)), (0.1, (230, 130, 30))]), ["white", "black"])
        XCTAssertEqual(try colours([(0.35, (120, 20, 42)), (0.65, (238, 142, 172))], alpha: true), ["pink", "burgundy"])
    }

    func testTheLabConversionMatchesReferenceValues() {
        // sRGB (255, 0, 0) is L* 53.24, a* 80.09, b* 67.20 (D65).
        let red = DominantColours.lab(red: 255, green: 0, blue: 0)
        XCTAssertEqual(red.0, 53.24, accuracy: 0.1)
        XCTAssertEqual(red.1, 80.09, accuracy: 0.2)
        XCTAssertEqual(red.2, 67.20, accuracy: 0.2)
        XCTAssertEqual(DominantColours.lab(red: 255, green: 255, blue: 255).0, 100, accuracy: 0.01)
    }
}
