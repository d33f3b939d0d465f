import CVips
import Foundation
import XCTest
@testable import Imaging

/// The dHash a takedown matches copies with: re-encoded, resized and lightly edited copies stay
/// within `PerceptualHash.nearDuplicateDistance`; different pictures do not.
final class ImagingPerceptualHashTests: XCTestCase {
    private func hash(_ bytes: Data) throws -> PerceptualHash {
        try ImageWorkshop().perceptualHash(of: bytes)
    }

    func testCopiesAreNearAndOtherPicturesAreFar() throws {
        let scene = try ImagingFixtures.scene(width: 512, height: 384)
        let original = try hash(try ImagingFixtures.png(scene))
        let jpeg = try hash(try scene.encoded(.jpeg(quality: 55, progressive: false, background: .white)))
        let smaller = try hash(try scene.resized(horizontalScale: 0.4, verticalScale: 0.4, kernel: VIPS_KERNEL_LANCZOS3)
            .copiedToMemory().encoded(.webp(quality: 70, effort: 2)))
        let brighter = try hash(try ImagingFixtures.png(scene.linear(multiply: [1.08, 1.08, 1.08], add: [6, 6, 6], clipToByte: true)))
        let noisy = try hash(try ImagingFixtures.png(try ImagingFixtures.addingNoise(to: scene, sigma: 6)))
        for (name, copy) in [("jpeg q55", jpeg), ("40% webp", smaller), ("brighter", brighter), ("noisy", noisy)] {
            XCTAssertTrue(copy.isNearDuplicate(of: original), "\(name): \(copy.distance(to: original)) bits apart")
        }

        // The same scene mirrored and a different picture are not copies.
        let mirrored = try hash(try ImagingFixtures.png(try VipsImageHandle.fromPixels(
            Self.mirrored(ImagingFixtures.scenePixels(width: 512, height: 384), width: 512, height: 384),
            width: 512, height: 384, bands: 3)))
        XCTAssertGreaterThan(mirrored.distance(to: original), PerceptualHash.nearDuplicateDistance)
        let noise = try hash(try ImagingFixtures.png(try VipsImageHandle.fromPixels(
            ImagingFixtures.addingNoise(to: [UInt8](repeating: 128, count: 256 * 256 * 3), sigma: 60), width: 256, height: 256, bands: 3)))
        XCTAssertGreaterThan(noise.distance(to: original), PerceptualHash.nearDuplicateDistance)
    }

    func testHexRoundTripsAndRejectsGarbage() {
        let hash = PerceptualHash(0x00f0_1234_abcd_0001)
        XCTAssertEqual(hash.description, "00f01234abcd0001")
        XCTAssertEqual(PerceptualHash(hex: hash.description), hash)
        XCTAssertNil(PerceptualHash(hex: "xyz"))
        XCTAssertNil(PerceptualHash(hex: "00f01234abcd00011"))
        XCTAssertEqual(PerceptualHash(0).distance(to: PerceptualHash(.max)), 64)
    }

    private static func mirrored(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        var out = pixels
        for y in 0..<height {
            for x in 0..<width {
                for band in 0..<3 { out[(y * width + x) * 3 + band] = pixels[(y * width + (width - 1 - x)) * 3 + band] }
            }
        }
        return out
    }
}
