import CVips
import Foundation
import XCTest
@testable import Imaging

/// One 512-px analysis copy per verified image feeds the quality score, the dominant colours,
/// the perceptual hash and the detector's copy: made once, the score unchanged by sharing it.
final class ImagingAnalysisCopyTests: XCTestCase {
    func testTheCopyIsMadeOnceAtTheAnalysisScaleAndASmallImageIsItsOwnCopy() throws {
        let workshop = try ImageWorkshop()
        let large = try workshop.verify(try ImagingFixtures.png(try ImagingFixtures.scene(width: 1024, height: 768)))
        let copy = try large.analysisPixels()
        XCTAssertEqual([copy.width, copy.height], [512, 384])
        XCTAssertTrue(try large.analysisPixels() === copy, "made once, then shared")

        let small = try workshop.verify(try ImagingFixtures.png(try ImagingFixtures.scene(width: 400, height: 300)))
        XCTAssertTrue(try small.analysisPixels() === small.pixels)
    }

    /// The score is what measuring the full pixels alone gives (the copy is the one the measurer
    /// made itself before), and the other consumers still see the picture.
    func testConsumersOfTheSharedCopyGiveTheSameAnswers() throws {
        let workshop = try ImageWorkshop()
        let scene = try ImagingFixtures.scene(width: 1024, height: 768)
        let image = try workshop.verify(try ImagingFixtures.png(scene))

        let shared = try workshop.score(image).measurements
        let alone = try QualityMeasurer().measure(image.pixels)
        XCTAssertEqual(shared, alone)

        let (png, scale) = try workshop.detectorCopy(image, longEdge: 320)
        XCTAssertEqual(scale, 320.0 / 1024.0)
        let detector = try workshop.verify(png)
        XCTAssertEqual([detector.width, detector.height], [320, 240])
        // A copy larger than the analysis scale comes from the decode, and `scale` still maps it.
        let (largePNG, largeScale) = try workshop.detectorCopy(image, longEdge: 800)
        let large = try workshop.verify(largePNG)
        XCTAssertEqual([large.width, large.height], [800, 600])
        XCTAssertEqual(largeScale, 800.0 / 1024.0)

        // The hash from the copy matches a half-size re-encode of the same scene.
        let hash = try workshop.perceptualHash(image)
        let half = try workshop.perceptualHash(of: try scene.resized(horizontalScale: 0.5, verticalScale: 0.5, kernel: VIPS_KERNEL_LANCZOS3)
            .copiedToMemory().encoded(.jpeg(quality: 80, progressive: false, background: .white)))
        XCTAssertTrue(half.isNearDuplicate(of: hash), "\(half.distance(to: hash)) bits apart")
        XCTAssertEqual(try workshop.dominantColours(image), try DominantColours().names(of: image.pixels))
    }
}
