import XCTest
@testable import Host
@testable import Imaging

/// The levels stretch chosen from histograms: a clipping budget it never exceeds, a gain cap.
final class ImagingLevelsTests: XCTestCase {
    /// Histogram with `count` pixels at each of `values`.
    private func histogram(_ values: [Int: Int]) -> [Int] {
        var bins = [Int](repeating: 0, count: 256)
        for (value, count) in values { bins[value] += count }
        return bins
    }

    func testFullRangeImageIsLeftAlone() {
        let full = histogram([0: 10, 128: 80, 255: 10])
        XCTAssertNil(LevelsAdjustment.choose(minimumHistogram: full, maximumHistogram: full, maxClippedFraction: 0.01, maxGain: 2))
    }

    func testNarrowRangeIsStretchedToTheOutliersWithinBudget() throws {
        // 1000 pixels between 60 and 200, plus 4 dark and 4 bright outliers (0.8 % in all).
        var values: [Int: Int] = [:]
        for v in 60...200 { values[v, default: 0] += 1000 / 141 }
        values[20] = 4
        values[240] = 4
        let bins = histogram(values)
        let total = Double(bins.reduce(0, +))

        let strict = try XCTUnwrap(LevelsAdjustment.choose(minimumHistogram: bins, maximumHistogram: bins, maxClippedFraction: 0.0, maxGain: 4))
        XCTAssertEqual(strict.blackPoint, 19, accuracy: 1e-9, "no budget: only values below the darkest pixel may reach 0")
        XCTAssertEqual(strict.whitePoint, 241, accuracy: 1e-9)
        XCTAssertEqual(strict.clippedFraction, 0)

        let loose = try XCTUnwrap(LevelsAdjustment.choose(minimumHistogram: bins, maximumHistogram: bins,
                                                          maxClippedFraction: 9 / total, maxGain: 4))
        XCTAssertEqual(loose.blackPoint, 59, accuracy: 1e-9, "4 dark outliers fit half the budget")
        XCTAssertEqual(loose.whitePoint, 201, accuracy: 1e-9)
        XCTAssertEqual(loose.clippedFraction, 8 / total, accuracy: 1e-12)
    }

    func testGainIsCappedByWideningTheRange() throws {
        let bins = histogram([100: 500, 150: 500])
        let adjustment = try XCTUnwrap(LevelsAdjustment.choose(minimumHistogram: bins, maximumHistogram: bins,
                                                               maxClippedFraction: 0, maxGain: 1.5))
        XCTAssertEqual(adjustment.gain, 1.5, accuracy: 1e-9)
        XCTAssertLessThan(adjustment.blackPoint, 100)
        XCTAssertGreaterThan(adjustment.whitePoint, 150)
        XCTAssertEqual(adjustment.clippedFraction, 0)
    }

    func testUniformImageGetsNoStretchBeyondTheCap() throws {
        let bins = histogram([128: 1000])
        let adjustment = try XCTUnwrap(LevelsAdjustment.choose(minimumHistogram: bins, maximumHistogram: bins,
                                                               maxClippedFraction: 0.01, maxGain: 1.2))
        XCTAssertEqual(adjustment.gain, 1.2, accuracy: 1e-9)
        let mapped = (128 - adjustment.blackPoint) * adjustment.gain
        XCTAssertEqual(mapped, 128, accuracy: 1.5, "mid grey stays mid grey")
    }

    func testLookupTableRoundsAndClips() {
        let levels = LevelsAdjustment(blackPoint: 20, whitePoint: 215, clippedFraction: 0)
        let table = levels.lookupTable
        XCTAssertEqual(table.count, 256)
        XCTAssertEqual(table[0], 0)
        XCTAssertEqual(table[20], 0)
        XCTAssertEqual(table[90], 92, "(90 − 20) × 255 / 195 = 91.5 → 92")
        XCTAssertEqual(table[215], 255)
        XCTAssertEqual(table[255], 255)
        XCTAssertEqual(table, table.sorted(), "monotonic")
    }
}
