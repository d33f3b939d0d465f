import CVips
import Foundation
import XCTest

/// The C passes behind the quality score's noise estimate and luma (cvips_measure.c) are
/// written for speed (branch-free inner loops, edges handled apart); they must give exactly
/// what the plain definition gives, at every size, stride and flat fraction, edges included.
final class ImagingMeasureKernelTests: XCTestCase {
    /// The definition: Sobel |Gx| + |Gy| / 4 with edges repeated, its 3×3 maximum over the inner
    /// pixels, the threshold at `fraction` of them, and the squared residual of the 3×3 binomial
    /// blur over the pixels at or under it.
    private func reference(_ luma: [UInt8], width: Int, height: Int, stride: Int, fraction: Double) -> (Double, Int64) {
        func at(_ x: Int, _ y: Int) -> Int { Int(luma[min(max(y, 0), height - 1) * stride + min(max(x, 0), width - 1)]) }
        var gradient = [Int](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let gx = -at(x - 1, y - 1) + at(x + 1, y - 1) - 2 * at(x - 1, y) + 2 * at(x + 1, y) - at(x - 1, y + 1) + at(x + 1, y + 1)
                let gy = -at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1) + at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1)
                gradient[y * width + x] = min(255, (abs(gx) + abs(gy)) / 4)
            }
        }
        var maximum = [Int](repeating: 0, count: width * height)
        var histogram = [Int](repeating: 0, count: 256)
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) {
                var m = 0
                for dy in -1...1 { for dx in -1...1 { m = max(m, gradient[(y + dy) * width + x + dx]) } }
                maximum[y * width + x] = m
                histogram[m] += 1
            }
        }
        let inner = Double((width - 2) * (height - 2))
        var threshold = 0, below = histogram[0]
        while Double(below) < fraction * inner && threshold < 255 { threshold += 1; below += histogram[threshold] }
        var sum = 0.0
        var count: Int64 = 0
        for y in 1..<(height - 1) {
            for x in 1..<(width - 1) where maximum[y * width + x] <= threshold {
                let blur = (at(x - 1, y - 1) + 2 * at(x, y - 1) + at(x + 1, y - 1) + 2 * at(x - 1, y) + 4 * at(x, y)
                            + 2 * at(x + 1, y) + at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) + 8) / 16
                let r = at(x, y) - blur
                sum += Double(r * r)
                count += 1
            }
        }
        return (sum, count)
    }

    func testTheFlatResidualIsExactlyTheDefinitionAtEverySizeAndStride() {
        var random = SystemRandomNumberGenerator()
        for (index, (width, height)) in [(3, 3), (4, 3), (3, 7), (5, 5), (17, 9), (64, 33), (131, 97)].enumerated() {
            let stride = width + index % 3
            for kind in 0..<3 {
                let luma = (0..<(stride * height)).map { i -> UInt8 in
                    switch kind {
                    case 0: UInt8.random(in: 0...255, using: &random)  // all texture
                    case 1: UInt8(126 + Int.random(in: 0...4, using: &random))  // flat with faint noise
                    default: UInt8((i % stride < width / 2 ? 40 : 210) + Int.random(in: 0...3, using: &random))  // an edge
                    }
                }
                for fraction in [0.0, 0.3, 1.0] {
                    var sum = 0.0
                    var count: Int64 = 0
                    let status = luma.withUnsafeBufferPointer {
                        cvips_measure_flat_residual($0.baseAddress!, Int32(width), Int32(height), Int32(stride), fraction, &sum, &count)
                    }
                    XCTAssertEqual(status, 0)
                    let expected = reference(luma, width: width, height: height, stride: stride, fraction: fraction)
                    XCTAssertEqual(sum, expected.0, "\(width)×\(height) stride \(stride), kind \(kind), fraction \(fraction)")
                    XCTAssertEqual(count, expected.1, "\(width)×\(height) stride \(stride), kind \(kind), fraction \(fraction)")
                }
            }
        }
    }

    func testLumaIsTheRec709WeightedSumForEveryBandCount() {
        var random = SystemRandomNumberGenerator()
        let width = 37, height = 5
        for bands in 1...4 {
            let pixels = (0..<(width * height * bands)).map { _ in UInt8.random(in: 0...255, using: &random) }
            var luma = [UInt8](repeating: 0, count: width * height)
            cvips_measure_luma(pixels, Int32(width), Int32(height), Int32(bands), &luma)
            for i in 0..<(width * height) {
                let p = Array(pixels[(i * bands)..<((i + 1) * bands)]).map(Int.init)
                func white(_ v: Int, _ a: Int) -> Int { (v * a + 255 * (255 - a) + 127) / 255 }
                let (r, g, b): (Int, Int, Int)
                switch bands {
                case 1: (r, g, b) = (p[0], p[0], p[0])
                case 2: (r, g, b) = (white(p[0], p[1]), white(p[0], p[1]), white(p[0], p[1]))
                case 3: (r, g, b) = (p[0], p[1], p[2])
                default: (r, g, b) = (white(p[0], p[3]), white(p[1], p[3]), white(p[2], p[3]))
                }
                XCTAssertEqual(Int(luma[i]), (2126 * r + 7152 * g + 722 * b + 5000) / 10000, "\(bands) bands, pixel \(i)")
            }
        }
    }
}
