import Foundation
import XCTest
@testable import Host
@testable import ImagegenCore
@testable import Imaging

/// The imaging configuration: defaults, tolerant decoding, validation with named keys.
final class ImagingConfigurationTests: XCTestCase {
    private func decode(_ json: String) throws -> ImagingConfiguration {
        try JSONDecoder().decode(ImagingConfiguration.self, from: Data(json.utf8))
    }

    func testEmptyObjectDecodesToTheDefaults() throws {
        let configuration = try decode("{}")
        XCTAssertEqual(configuration, ImagingConfiguration())
        let profile = configuration.profile(forCategory: "anything")
        XCTAssertEqual(profile.sizes.map(\.name), ["master", "publish", "thumbnail"])
        XCTAssertEqual(profile.sizes.map(\.longEdge), [nil, 1080, 256])
        XCTAssertTrue(profile.formats.jpeg.enabled && profile.formats.jpeg.progressive)
        XCTAssertTrue(profile.formats.webp.enabled)
        XCTAssertFalse(profile.formats.avif.enabled)
        XCTAssertTrue(profile.enhancement.levels && profile.enhancement.sharpen)
        XCTAssertEqual(configuration.qualityWeights, QualityWeights(sharpness: 0.30, exposure: 0.25, contrast: 0.15, noise: 0.20, colorCast: 0.10))
        XCTAssertEqual(configuration.problems(), [])
    }

    func testPartialProfileKeepsTheOtherDefaults() throws {
        let configuration = try decode("""
            {"profiles": {"social": {"sizes": [{"name": "square", "longEdge": 1080}, {"longEdge": 128}],
                                     "formats": {"jpeg": {"quality": 70}},
                                     "enhancement": {"sharpen": false}}},
             "categoryProfiles": {"instagram": "social"},
             "limits": {"maxWidth": 4096},
             "qualityWeights": {"noise": 0.5}}
            """)
        let social = configuration.profile(forCategory: "instagram")
        XCTAssertEqual(social.sizes, [DerivativeSize(name: "square", longEdge: 1080), DerivativeSize(name: "128px", longEdge: 128)])
        XCTAssertEqual(social.formats.jpeg, JPEGOptions(quality: 70))
        XCTAssertEqual(social.formats.webp, WebPOptions())
        XCTAssertFalse(social.enhancement.sharpen)
        XCTAssertTrue(social.enhancement.levels)
        XCTAssertEqual(configuration.limits, InputLimits(maxWidth: 4096))
        XCTAssertEqual(configuration.qualityWeights.noise, 0.5)
        XCTAssertEqual(configuration.qualityWeights.sharpness, 0.30)
        // No "default" profile was given: other categories get the built-in default.
        XCTAssertEqual(configuration.profile(forCategory: "news"), ImagingProfile())
        XCTAssertEqual(try configuration.profile(named: "default"), ImagingProfile())
    }

    func testRoundTripsThroughJSON() throws {
        var configuration = ImagingConfiguration()
        configuration.profiles["print"] = ImagingProfile(sizes: [.master], formats: OutputFormats(avif: AVIFOptions(enabled: true)))
        configuration.categoryProfiles["posters"] = "print"
        let decoded = try JSONDecoder().decode(ImagingConfiguration.self, from: JSONEncoder().encode(configuration))
        XCTAssertEqual(decoded, configuration)
    }

    func testInvalidValuesAreRefusedNamingTheirKey() throws {
        let configuration = try decode("""
            {"profiles": {"bad": {"formats": {"jpeg": {"quality": 0}, "webp": {"effort": 9}},
                                  "sizes": [{"name": "a", "longEdge": 0}, {"name": "a"}],
                                  "enhancement": {"maxClippedFraction": 0.5}}},
             "categoryProfiles": {"x": "missing"},
             "qualityWeights": {"sharpness": -1}}
            """)
        let problems = configuration.problems().joined(separator: "\n")
        for key in ["profiles.bad.formats.jpeg.quality", "profiles.bad.formats.webp.effort", "longEdge must be positive",
                    "names 'a' twice", "profiles.bad.enhancement.maxClippedFraction", "categoryProfiles.x",
                    "qualityWeights.sharpness"] {
            XCTAssertTrue(problems.contains(key), "no problem mentions \(key):\n\(problems)")
        }
        XCTAssertThrowsError(try ImageWorkshop(configuration: configuration)) { error in
            guard case ImageProcessingError.invalidConfiguration = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("jpeg.quality"))
        }
    }

    func testNoEnabledFormatIsAProblem() {
        let profile = ImagingProfile(formats: OutputFormats(jpeg: JPEGOptions(enabled: false), webp: WebPOptions(enabled: false)))
        XCTAssertTrue(profile.problems(named: "p").contains { $0.contains("enables no format") })
    }

    func testUnknownProfileNameListsTheKnownOnes() {
        let configuration = ImagingConfiguration(profiles: ["default": ImagingProfile(), "print": ImagingProfile()])
        XCTAssertThrowsError(try configuration.profile(named: "web")) { error in
            XCTAssertEqual("\(error)", "no imaging profile named 'web'; known profiles: default, print")
        }
    }

    func testDerivativeDimensionsNeverUpscaleAndKeepAspect() {
        XCTAssertTrue(DerivativeSize.publish.dimensions(forSourceWidth: 2048, height: 1024) == (1080, 540))
        XCTAssertTrue(DerivativeSize.publish.dimensions(forSourceWidth: 1024, height: 2048) == (540, 1080))
        XCTAssertTrue(DerivativeSize.publish.dimensions(forSourceWidth: 1080, height: 700) == (1080, 700))
        XCTAssertTrue(DerivativeSize.thumbnail.dimensions(forSourceWidth: 100, height: 50) == (100, 50))
        XCTAssertTrue(DerivativeSize.thumbnail.dimensions(forSourceWidth: 5000, height: 10) == (256, 1))
        XCTAssertTrue(DerivativeSize.master.dimensions(forSourceWidth: 3000, height: 2000) == (3000, 2000))
    }
}
