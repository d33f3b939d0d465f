import CVips
import Foundation
import XCTest
@testable import Host
@testable import Imaging

/// The process set-up libvips gets at start (modules, malloc) and the direct WebP encoder.
final class ImagingRuntimeTests: XCTestCase {
    func testStartLoadsNoOptionalModulesRestoresVIPSHOMEAndLoadsHEIFOnDemand() throws {
        // Set by an operator (then left alone), or by libvips starting itself before any ImageWorkshop.
        try XCTSkipIf(getenv("VIPSHOME") != nil, "VIPSHOME is set, so the module selection does not apply")
        try ImageWorkshop().start()
        XCTAssertNil(getenv("VIPSHOME"), "VIPSHOME must not leak into child processes")
        // ImageMagick and PDF would only be there if vips_init had loaded the module directory.
        XCTAssertEqual(cvips_type_find("VipsOperation", "magickload_buffer"), 0)
        XCTAssertEqual(cvips_type_find("VipsOperation", "pdfload_buffer"), 0)
        XCTAssertEqual(cvips_require_heif(), 0, VipsErrorBuffer.take())
        XCTAssertNotEqual(cvips_type_find("VipsOperation", "heifsave_buffer"), 0)
    }

    func testOrcVectorCodeIsOffAfterStart() throws {
        // liborc's generated code crashed under concurrent post-processing (see VipsRuntime).
        try ImageWorkshop().start()
        XCTAssertEqual(cvips_vector_isenabled(), 0)
    }

    func testMallocTuningIsOnByDefaultAndCanBeTurnedOff() throws {
        XCTAssertTrue(VipsRuntimeSettings().tuneMalloc)
        let decoded = try JSONDecoder().decode(ImagingConfiguration.self, from: Data(#"{"runtime": {"tuneMalloc": false}}"#.utf8))
        XCTAssertFalse(decoded.runtime.tuneMalloc)
        XCTAssertEqual(decoded.runtime.concurrency, VipsRuntimeSettings().concurrency)
    }

    /// The direct libwebp path must write exactly what libvips' webpsave (+ metadata removal)
    /// writes for the same pixels, with and without alpha, at several efforts.
    func testDirectWebPMatchesLibvipsWebPSave() throws {
        try ImageWorkshop().start()
        for alpha in [false, true] {
            let inMemory = try ImagingFixtures.scene(width: 200, height: 120, alpha: alpha)
            let bands = alpha ? 4 : 3
            // Same pixels, but computed on demand: not eligible for the direct path.
            let lazy = try inMemory.linear(multiply: Array(repeating: 1, count: bands),
                                           add: Array(repeating: 0, count: bands), clipToByte: true)
            var buffer: UnsafeMutableRawPointer?
            var length = 0
            XCTAssertEqual(cvips_webpsave_memory(lazy.pointer, &buffer, &length, 80, 4), 1, "a lazy image is not in memory")
            XCTAssertEqual(cvips_webpsave_memory(inMemory.pointer, &buffer, &length, 80, 4), 0)
            cvips_WebPFree(buffer)
            for effort in [2, 3, 4] {
                let direct = try inMemory.encoded(.webp(quality: 80, effort: effort))
                let viaLibvips = try lazy.encoded(.webp(quality: 80, effort: effort))
                XCTAssertEqual(direct, viaLibvips, "alpha \(alpha), effort \(effort)")
                let decoded = try ImagingFixtures.decodeAnything(direct)
                XCTAssertEqual([decoded.width, decoded.height, decoded.bands], [200, 120, bands])
                XCTAssertEqual(decoded.metadataFieldNames.filter { ["exif-data", "xmp-data", "icc-profile-data"].contains($0) }, [])
            }
        }
    }
}
