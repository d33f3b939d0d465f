import Foundation
import XCTest
@testable import Host
@testable import Imaging

/// Derivatives are scored on their bytes decoded at about 512 px (docs/quality-score.md,
/// "Derivatives"): the same measurements as a full decode scaled to 512, and exactly the full
/// score for a derivative that is 512 px or smaller.
final class ImagingDerivativeScoreTests: XCTestCase {
    func testLargeDerivativesAreDecodedAt512AndScoreLikeTheirFullDecode() throws {
        let workshop = try ImageWorkshop()
        let result = try workshop.process(try workshop.verify(ImagingFixtures.scenePNG(width: 1600, height: 1000)),
                                          profile: ImagingProfile())
        for format in [ImageFormat.jpeg, .webp] {
            let master = try XCTUnwrap(result.derivative("master", format))
            let decoded = try ImageWorkshop.decodeForScoring(master.bytes, format: format, width: master.width, height: master.height)
            XCTAssertEqual(max(decoded.width, decoded.height), 512, "\(format)")
            XCTAssertEqual(decoded.width, 512)
            XCTAssertEqual(decoded.height, 320)

            let fast = try workshop.scoreDerivative(master).measurements
            let full = try workshop.score(try workshop.verify(master.bytes)).measurements
            // Means survive scaling; clipping and contrast from fine detail average out (documented
            // in docs/quality-score.md): lower at 512 px, never higher.
            XCTAssertEqual(fast.meanLuminance, full.meanLuminance, accuracy: 0.01, "\(format)")
            XCTAssertLessThanOrEqual(fast.rmsContrast, full.rmsContrast + 0.005, "\(format)")
            XCTAssertGreaterThan(fast.rmsContrast, full.rmsContrast * 0.8, "\(format)")
            XCTAssertLessThanOrEqual(fast.shadowClipFraction, full.shadowClipFraction + 0.005, "\(format)")
            XCTAssertLessThanOrEqual(fast.highlightClipFraction, full.highlightClipFraction + 0.005, "\(format)")
            XCTAssertEqual(fast.meanA, full.meanA, accuracy: 1, "\(format)")
            XCTAssertEqual(fast.meanB, full.meanB, accuracy: 1, "\(format)")
        }
        // 512 px or smaller: decoded whole, so exactly the score of the full decode.
        let thumbnail = try XCTUnwrap(result.derivative("thumbnail", .jpeg))
        XCTAssertEqual(try workshop.scoreDerivative(thumbnail), try workshop.score(try workshop.verify(thumbnail.bytes)))
    }
}
