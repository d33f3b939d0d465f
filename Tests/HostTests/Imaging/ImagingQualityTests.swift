import CVips
import Foundation
import XCTest
@testable import Host
@testable import ImagegenCore
@testable import Imaging

/// The no-reference quality score: each component moves the right way on a degraded copy.
final class ImagingQualityTests: XCTestCase {
    private let width = 480, height = 360

    private func score(_ image: VipsImageHandle, weights: QualityWeights = QualityWeights()) throws -> QualityReport {
        let workshop = try ImageWorkshop(configuration: ImagingConfiguration(qualityWeights: weights))
        return try workshop.score(workshop.verify(ImagingFixtures.png(image)))
    }

    private func scene() throws -> VipsImageHandle { try ImagingFixtures.scene(width: width, height: height) }

    func testBlurredCopyScoresLowerOnSharpness() throws {
        let original = try score(scene())
        let blurred = try score(scene().gaussianBlurred(sigma: 2))
        XCTAssertLessThan(blurred.measurements.laplacianVariance, original.measurements.laplacianVariance / 5)
        XCTAssertLessThan(blurred.components.sharpness, original.components.sharpness - 0.3)
        XCTAssertLessThan(blurred.score, original.score)
        XCTAssertLessThan(blurred.measurements.noiseSigma, 0.5, "blur is not noise")
    }

    func testCrushedBlackCopyScoresLowerOnExposure() throws {
        let original = try score(scene())
        let crushed = try score(scene().linear(multiply: [1, 1, 1], add: [-90, -90, -90], clipToByte: true))
        XCTAssertGreaterThan(crushed.measurements.shadowClipFraction, 0.05)
        XCTAssertEqual(original.measurements.shadowClipFraction, 0, accuracy: 0.001)
        XCTAssertLessThan(crushed.components.exposure, original.components.exposure - 0.2)
        XCTAssertLessThan(crushed.score, original.score)
    }

    func testBlownHighlightsAlsoCostExposure() throws {
        let blown = try score(scene().linear(multiply: [2, 2, 2], add: [40, 40, 40], clipToByte: true))
        XCTAssertGreaterThan(blown.measurements.highlightClipFraction, 0.05)
        XCTAssertLessThan(blown.components.exposure, 0.9)
    }

    func testNoisyCopyHasHigherNoiseEstimate() throws {
        let original = try score(scene())
        let noisy = try score(ImagingFixtures.addingNoise(to: scene(), sigma: 8))
        XCTAssertGreaterThan(noisy.measurements.noiseSigma, original.measurements.noiseSigma + 4)
        XCTAssertLessThan(noisy.components.noise, original.components.noise)
        XCTAssertLessThan(noisy.score, original.score)
        // Noise must not pass for detail.
        XCTAssertLessThanOrEqual(noisy.components.sharpness, original.components.sharpness + 0.01)
    }

    func testNoiseEstimateIsCalibratedOnFlatGrey() throws {
        let grey = try VipsImageHandle.fromPixels([UInt8](repeating: 128, count: width * height * 3),
                                                  width: width, height: height, bands: 3)
        for sigma in [2.0, 8.0] {
            let measured = try score(ImagingFixtures.addingNoise(to: grey, sigma: sigma)).measurements.noiseSigma
            XCTAssertEqual(measured, sigma, accuracy: sigma * 0.15, "added σ \(sigma)")
        }
        XCTAssertEqual(try score(grey).measurements.noiseSigma, 0, accuracy: 0.01)
    }

    func testLowContrastCopyScoresLowerOnContrast() throws {
        let original = try score(scene())
        let flat = try score(scene().linear(multiply: [0.3, 0.3, 0.3], add: [90, 90, 90], clipToByte: true))
        XCTAssertEqual(flat.measurements.rmsContrast, original.measurements.rmsContrast * 0.3, accuracy: 0.01)
        XCTAssertLessThan(flat.components.contrast, original.components.contrast)
    }

    func testTintedCopyShowsColorCast() throws {
        let grey = try scene().colourspace(VIPS_INTERPRETATION_B_W).colourspace(VIPS_INTERPRETATION_sRGB)
        let neutral = try score(grey)
        let tinted = try score(grey.linear(multiply: [1.0, 0.9, 0.6], add: [30, 0, 0], clipToByte: true))
        XCTAssertLessThan(neutral.measurements.colorCastDistance, 1)
        XCTAssertGreaterThan(tinted.measurements.colorCastDistance, 15)
        XCTAssertGreaterThan(tinted.measurements.meanB, 10, "more red and less blue: warm, b* up")
        XCTAssertLessThan(tinted.components.colorCast, neutral.components.colorCast)
    }

    func testScoreIsTheWeightedMeanOfComponents() throws {
        let onlySharpness = try score(scene(), weights: QualityWeights(sharpness: 1, exposure: 0, contrast: 0, noise: 0, colorCast: 0))
        XCTAssertEqual(onlySharpness.score, (onlySharpness.components.sharpness * 1000).rounded() / 10, accuracy: 0.05)
        let report = try score(scene())
        let c = report.components
        let expected = 100 * (0.30 * c.sharpness + 0.25 * c.exposure + 0.15 * c.contrast + 0.20 * c.noise + 0.10 * c.colorCast)
        XCTAssertEqual(report.score, expected, accuracy: 0.05)
        for value in [c.sharpness, c.exposure, c.contrast, c.noise, c.colorCast] { XCTAssertTrue((0...1).contains(value)) }
        XCTAssertTrue((0...100).contains(report.score))
    }

    func testLargeImageIsAnalysedAtReducedScale() throws {
        // Sharpness is measured at a 512 px long edge, so the same scene at twice the size
        // measures about the same instead of looking softer per pixel.
        let small = try score(ImagingFixtures.scene(width: 512, height: 384))
        let large = try score(ImagingFixtures.scene(width: 1024, height: 768))
        XCTAssertEqual(large.components.sharpness, small.components.sharpness, accuracy: 0.15)
    }

    func testReportRoundTripsThroughJSON() throws {
        let report = try score(scene())
        let decoded = try JSONDecoder().decode(QualityReport.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(decoded, report)
    }
}
