import XCTest
@testable import Host
@testable import Imaging

/// The unsharp mask folded into one integer convolution.
final class ImagingUnsharpMaskTests: XCTestCase {
    func testWeightsSumToTheDivisorAndSharpen() {
        for (sigma, amount) in [(0.5, 1.0), (1.0, 0.5), (1.5, 1.0)] {
            let mask = UnsharpMask(sigma: sigma, amount: amount)
            let weights = mask.weights()
            XCTAssertEqual(weights.count, mask.size * mask.size)
            XCTAssertEqual(weights.reduce(0, +), UnsharpMask.divisor, "flat areas must stay unchanged")
            let centre = weights.count / 2
            XCTAssertGreaterThan(weights[centre], UnsharpMask.divisor, "the centre is boosted")
            XCTAssertTrue(weights.enumerated().allSatisfy { $0.offset == centre || $0.element <= 0 }, "neighbours subtract")
            XCTAssertEqual(weights, weights.reversed(), "symmetric")
        }
        XCTAssertEqual(UnsharpMask(sigma: 0.5, amount: 0.5).size, 3)
        XCTAssertEqual(UnsharpMask(sigma: 1.0, amount: 0.5).size, 5)
    }

    func testFlatImageIsUnchangedAndEdgesGainContrast() throws {
        try ImageWorkshop().start()
        // Left half 100, right half 150.
        var pixels = [UInt8](repeating: 0, count: 40 * 10 * 3)
        for y in 0..<10 { for x in 0..<40 { for c in 0..<3 { pixels[(y * 40 + x) * 3 + c] = x < 20 ? 100 : 150 } } }
        let image = try VipsImageHandle.fromPixels(pixels, width: 40, height: 10, bands: 3)
        let mask = UnsharpMask(sigma: 1, amount: 0.5)
        let sharpened = try image.convolved(withIntegerWeights: mask.weights(), size: mask.size, divisor: UnsharpMask.divisor).pixelData()
        let row = 5 * 40 * 3
        XCTAssertEqual(sharpened[row + 5 * 3], 100, "far from the edge nothing changes")
        XCTAssertEqual(sharpened[row + 35 * 3], 150)
        XCTAssertLessThan(sharpened[row + 19 * 3], 100, "dark side of the edge gets darker")
        XCTAssertGreaterThan(sharpened[row + 20 * 3], 150, "bright side gets brighter")
    }
}
