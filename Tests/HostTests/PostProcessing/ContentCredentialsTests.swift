import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import ContentCredentials
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Imaging
@testable import Pipeline

/// Signed C2PA manifests (issue 17 item 8, `labelling.c2pa`): each published derivative is
/// signed through the C2PA C library (dlopened), and read back by an independent reader — the
/// `c2pa` Python package — with model, provider, time and digital source type; exiftool still
/// finds the XMP marking beside the manifest.
final class ContentCredentialsTests: XCTestCase {
    private func signer(_ kit: C2PATestKit, algorithm: C2PASigningAlgorithm = .es256) throws -> ContentCredentialsSigner {
        let settings = C2PASettings(certificate: kit.chain, privateKey: .file(kit.key), algorithm: algorithm,
                                    library: try C2PATestKit.library())
        return try ContentCredentialsSigner.open(settings, file: nil) { _ in nil }
    }

    private func assertManifest(_ read: [String: Any], model: String, provider: String, when: Date? = nil, _ what: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(read["error"], "\(what): \(read)", file: file, line: line)
        // Trusted: our test CA is given to the reader as its only trust anchor.
        XCTAssertEqual(read["state"] as? String, "Trusted", "\(what): \(read)", file: file, line: line)
        XCTAssertEqual(read["failure"] as? [String], [], what, file: file, line: line)
        let success = read["success"] as? [String] ?? []
        for code in ["claimSignature.validated", "signingCredential.trusted", "assertion.dataHash.match"] where !what.hasSuffix("avif") {
            XCTAssertTrue(success.contains(code), "\(what): \(code) missing from \(success)", file: file, line: line)
        }
        let manifest = read["manifest"] as? [String: Any] ?? [:]
        let generator = (manifest["claim_generator_info"] as? [[String: Any]])?.first
        XCTAssertEqual(generator?["name"] as? String, "imagegen", what, file: file, line: line)
        XCTAssertEqual(generator?["version"] as? String, ImagegenVersion.current, what, file: file, line: line)
        let created = C2PATestKit.createdAction(read)
        XCTAssertEqual(created?["digitalSourceType"] as? String, ProvenanceLabel.trainedAlgorithmicMedia, what, file: file, line: line)
        let parameters = created?["parameters"] as? [String: Any]
        XCTAssertEqual(parameters?["model"] as? String, model, what, file: file, line: line)
        XCTAssertEqual(parameters?["provider"] as? String, provider, what, file: file, line: line)
        let stamped = (created?["when"] as? String).flatMap { try? Date($0, strategy: .iso8601) }  // try?: nil fails just below
        XCTAssertNotNil(stamped, "\(what): no time in \(String(describing: created))", file: file, line: line)
        if let when, let stamped { XCTAssertEqual(stamped.timeIntervalSince1970, when.timeIntervalSince1970, accuracy: 1, what, file: file, line: line) }
    }

    func testEveryFormatIsSignedReadBackAndKeepsTheXMPMarking() throws {
        let kit = try C2PATestKit()
        let signer = try signer(kit)
        let workshop = try ImageWorkshop()
        let image = try workshop.verify(try ImagingFixtures.jpegWithLocationMetadata(width: 640, height: 480))
        var profile = ImagingProfile()
        profile.formats.avif.enabled = true
        let label = ProvenanceLabel(model: "flux-schnell", provider: "replicate/black-forest-labs/flux-schnell")
        // One derivative per format (the first size: the master at full size), and PNG.
        var outputs: [(Data, ImageFormat)] = []
        for derivative in try workshop.process(image, profile: profile, label: label).derivatives
        where !outputs.contains(where: { $0.1 == derivative.format }) {
            XCTAssertEqual(derivative.width, 640)
            outputs.append((derivative.bytes, derivative.format))
        }
        outputs.append((try image.pixels.encoded(.png(compression: 6), label: label), .png))
        XCTAssertEqual(outputs.map(\.1), [.jpeg, .webp, .avif, .png])
        let when = Date(timeIntervalSince1970: 1_796_000_000)
        let claim = ContentCredentialsClaim(model: "flux-schnell", provider: "replicate/black-forest-labs/flux-schnell", createdAt: when)
        for (bytes, format) in outputs {
            let what = "\(format.fileExtension)"
            let signed = try signer.sign(bytes, mimeType: format.mimeType, title: "t.\(format.fileExtension)", claim: claim)
            XCTAssertGreaterThan(signed.count, bytes.count, what)
            let read = try C2PATestKit.read(signed, ext: format.fileExtension, mime: format.mimeType, trusting: kit.caCertificate)
            assertManifest(read, model: claim.model, provider: claim.provider, when: when, what)
            // Without the test CA as an anchor the signature still validates; only trust is missing.
            let untrusted = try C2PATestKit.read(signed, ext: format.fileExtension, mime: format.mimeType)
            XCTAssertEqual(untrusted["status"] as? [String], ["signingCredential.untrusted"], what)
            // The XMP marking is still there for XMP readers, and the image still decodes.
            let tags = try ExifTool.tags(signed, ext: format.fileExtension)
            XCTAssertEqual(tags["XMP-iptcExt:DigitalSourceType"] as? String, ProvenanceLabel.trainedAlgorithmicMedia, what)
            XCTAssertEqual(try workshop.verify(signed).width, 640, what)
        }
        // A changed pixel byte breaks the manifest's hash: the reader must be able to say no.
        let jpeg = try signer.sign(outputs[0].0, mimeType: "image/jpeg", title: "t.jpg", claim: claim)
        var tampered = jpeg
        tampered[tampered.count - 100] ^= 0x5A
        let read = try C2PATestKit.read(tampered, ext: "jpg", mime: "image/jpeg", trusting: kit.caCertificate)
        XCTAssertTrue((read["failure"] as? [String] ?? []).contains("assertion.dataHash.mismatch"), "\(read)")
        // An image without a manifest reads as none.
        XCTAssertNotNil(try C2PATestKit.read(outputs[0].0, ext: "jpg", mime: "image/jpeg")["error"])
    }

    func testGeneratedDerivativesArePublishedSigned() throws {
        let kit = try C2PATestKit()
        // The key from a secret (environment), the certificate from a file relative to the config.
        let config = """
            { labelling: { c2pa: { enabled: true, certificate: "\(kit.chain)", private_key: "C2PA_TEST_SIGNING_KEY", algorithm: "es256" } } }
            """
        let host = try TestHost(label: "c2pa", config: config)
        _ = try C2PATestKit.library()
        let pem = try String(contentsOfFile: kit.key, encoding: .utf8)
        let result = try host.cli(["generate", "--prompt", "a red teapot", "--model", "preview", "--width", "512", "--height", "384"],
                                  environment: ["C2PA_TEST_SIGNING_KEY": pem])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("PRIVATE KEY") || result.stdout.contains("PRIVATE KEY"))
        let catalog = try host.catalog()
        let original = try XCTUnwrap(try catalog.images(ImageFilter()).first { $0.variant == "original" })
        let derivatives = try catalog.derivatives(of: original.imageID)
        XCTAssertEqual(derivatives.count, 6)
        let when = try Date(original.metadata.generatedAt, strategy: RecordTime.style)
        for derivative in derivatives {
            let ext = (derivative.filePath as NSString).pathExtension
            let bytes = try Data(contentsOf: URL(fileURLWithPath: host.paths.data + "/" + derivative.filePath))
            let read = try C2PATestKit.read(bytes, ext: ext, mime: derivative.mime, trusting: kit.caCertificate)
            assertManifest(read, model: "preview", provider: original.metadata.apiUsed, when: when, derivative.imageID)
            XCTAssertEqual(try ExifTool.tags(bytes, ext: ext)["XMP-iptcExt:DigitalSourceType"] as? String,
                           ProvenanceLabel.trainedAlgorithmicMedia, derivative.imageID)
            XCTAssertEqual(derivative.extra["content_credentials"], "c2pa es256", derivative.imageID)
        }
        // The original (the provider's bytes, the archive copy) is not rewritten.
        let originalBytes = try Data(contentsOf: URL(fileURLWithPath: host.paths.data + "/" + original.filePath))
        XCTAssertNotNil(try C2PATestKit.read(originalBytes, ext: "png", mime: original.mime)["error"])
    }

    func testStartUpRefusesWhatWouldPublishUnsigned() throws {
        let kit = try C2PATestKit()
        let library = try C2PATestKit.library()
        func check(_ c2pa: String, environment: [String: String] = [:]) throws -> (status: Int32, stderr: String) {
            let host = try TestHost(label: "c2pa-config", config: "{ labelling: { c2pa: { \(c2pa) } } }")
            let result = try host.cli(["config", "check"], environment: environment)
            return (result.status, result.stderr + result.stdout)
        }
        let good = "enabled: true, certificate: \"\(kit.chain)\", private_key: \"\(kit.key)\""
        XCTAssertEqual(try check(good).status, 0)
        XCTAssertEqual(try check(good + ", library: \"\(library)\", algorithm: \"es256\"").status, 0)
        let cases: [(String, [String])] = [
            (good + ", certificat: \"x\"", ["labelling.c2pa.certificat", "did you mean labelling.c2pa.certificate"]),
            ("enabled: true, certificate: \"/nonexistent/chain.pem\", private_key: \"\(kit.key)\"",
             ["labelling.c2pa.certificate", "/nonexistent/chain.pem"]),
            ("enabled: true, certificate: \"\(kit.chain)\", private_key: \"/nonexistent/key.pem\"",
             ["labelling.c2pa.private_key", "/nonexistent/key.pem"]),
            ("enabled: true, certificate: \"\(kit.chain)\", private_key: \"NO_SUCH_C2PA_KEY\"",
             ["labelling.c2pa.private_key", "no secret named NO_SUCH_C2PA_KEY"]),
            (good + ", library: \"/nonexistent/libc2pa_c.so\"", ["labelling.c2pa.library", "no file at /nonexistent/libc2pa_c.so"]),
            (good + ", algorithm: \"rs256\"", ["labelling.c2pa.algorithm", "\"es256\", \"ps256\", \"ed25519\""]),
            ("enabled: true, private_key: \"\(kit.key)\"", ["labelling.c2pa.certificate", "missing"]),
            // The library refuses a self-signed certificate with no extended key usage: the probe signing says so at start.
            ("enabled: true, certificate: \"\(kit.selfSignedChain)\", private_key: \"\(kit.selfSignedKey)\"",
             ["labelling.c2pa", "refused the certificate", "extendedKeyUsage"]),
            // A key that does not match the certificate.
            ("enabled: true, certificate: \"\(kit.chain)\", private_key: \"\(kit.selfSignedKey)\"", ["labelling.c2pa", "refused"]),
        ]
        for (section, expected) in cases {
            let result = try check(section)
            XCTAssertEqual(result.status, 2, "\(section): \(result.stderr)")
            for text in expected { XCTAssertTrue(result.stderr.contains(text), "\(section): expected \(text) in \(result.stderr)") }
            XCTAssertFalse(result.stderr.contains("BEGIN"), "a key or certificate leaked into \(result.stderr)")
        }
        // Off means off: no library, key or certificate is looked at.
        XCTAssertEqual(try check("enabled: false, certificate: \"/nonexistent\", private_key: \"/nonexistent\"").status, 0)
    }

    /// A processor not built by the host cannot skip the signature the config asks for.
    func testPostProcessorWithoutSignerRefusesWhenSigningIsOn() throws {
        let kit = try C2PATestKit()
        let config = "{ labelling: { c2pa: { enabled: true, certificate: \"\(kit.chain)\", private_key: \"\(kit.key)\" } } }"
        let host = try TestHost(label: "c2pa-nosigner", config: config)
        let generator = try host.generator()
        XCTAssertNotNil(generator.service.contentCredentials)
        XCTAssertThrowsError(try PostProcessor(service: GenerationService(runtime: generator.service.runtime, catalog: generator.service.catalog),
                                               catalog: try host.catalog())) { error in
            XCTAssertEqual(error as? PostProcessingError, .signerMissing)
        }
    }
}
