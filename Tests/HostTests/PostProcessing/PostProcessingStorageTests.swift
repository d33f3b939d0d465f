import Foundation
import XCTest
@testable import Host
@testable import Catalog
@testable import CatalogSQLite
@testable import Crypto
@testable import ImagegenConfig
@testable import ImagegenCore
@testable import Imaging
@testable import Pipeline

/// Post-processing as the product stores it: every generated original gets its derivatives as
/// versions (parent = the original) beside it, recorded in the catalog with size, format, bytes
/// and score; re-processing adds a run and overwrites nothing; failures are recorded and said.
final class PostProcessingStorageTests: XCTestCase {
    func testEveryGeneratedImageGetsItsDerivativesAsVersionsBesideIt() throws {
        let host = try TestHost(label: "pp-store")
        let result = try host.cli(["generate", "--prompt", "a red teapot", "--model", "preview", "--width", "768", "--height", "512"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let catalog = try host.catalog()
        let original = try XCTUnwrap(try catalog.images(ImageFilter()).first)
        let originalPath = host.paths.data + "/" + original.filePath
        let originalBytes = try Data(contentsOf: URL(fileURLWithPath: originalPath))
        XCTAssertEqual(SHA256Digest.of(originalBytes).hex, original.contentSHA256, "the provider's bytes are kept as they came")

        let store: any PostProcessingStore = catalog
        let derivatives = try store.derivatives(of: original.imageID)
        // Default profile: master (as generated), publish (1080 px, never upscaled), thumbnail (256 px); JPEG + WebP.
        let expected: [(String, String, Int, Int)] = [
            ("master", "image/jpeg", 768, 512), ("master", "image/webp", 768, 512),
            ("publish", "image/jpeg", 768, 512), ("publish", "image/webp", 768, 512),
            ("thumbnail", "image/jpeg", 256, 171), ("thumbnail", "image/webp", 256, 171),
        ]
        XCTAssertEqual(derivatives.map(\.variant), expected.map(\.0))
        XCTAssertEqual(derivatives.map(\.mime), expected.map(\.1))
        XCTAssertEqual(derivatives.map(\.parameters.width), expected.map(\.2))
        XCTAssertEqual(derivatives.map(\.parameters.height), expected.map(\.3))
        let folder = (original.filePath as NSString).deletingLastPathComponent
        for d in derivatives {
            XCTAssertEqual(d.parentID, original.imageID)
            XCTAssertEqual(d.version, 1, "the first run")
            XCTAssertEqual(d.jobID, original.jobID)
            XCTAssertEqual((d.filePath as NSString).deletingLastPathComponent, folder, "stored beside the original")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: host.paths.data + "/" + d.filePath))
            XCTAssertEqual(bytes.count, d.bytes, d.imageID)
            XCTAssertEqual(SHA256Digest.of(bytes).hex, d.contentSHA256, d.imageID)
            XCTAssertEqual(ContentStore.sniffMIME(Array(bytes.prefix(16))), d.mime, "the file is what the row says")
            XCTAssertNil(d.metadata.cost, "a derivative costs nothing from the provider")
            XCTAssertEqual(d.extra["imaging_profile"], "default")
            let score = try XCTUnwrap(d.qualityScore, "each derivative is scored")
            XCTAssertEqual(d.quality?.score, score)
            XCTAssertTrue((0...100).contains(score))
        }
        // "publish" is the master again for a 768 px image: one file on disk under two names.
        func inode(_ d: ImageRecord) throws -> Int {
            try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: host.paths.data + "/" + d.filePath)[.systemFileNumber] as? Int)
        }
        XCTAssertEqual(try inode(derivatives[0]), try inode(derivatives[2]), "master.jpg and publish.jpg share their bytes")
        XCTAssertEqual(try inode(derivatives[1]), try inode(derivatives[3]))
        XCTAssertNotEqual(try inode(derivatives[0]), try inode(derivatives[4]))

        // Derivatives stay out of the lists of images, the ledger and the version chain.
        XCTAssertEqual(try catalog.images(ImageFilter()).map(\.imageID), [original.imageID])
        XCTAssertEqual(try catalog.ledger(since: nil).count, 1)
        XCTAssertEqual(try catalog.versionChain(imageID: original.imageID).map(\.imageID), [original.imageID])

        // The original's whole quality report is kept, in the catalog and in its sidecar.
        let report = try XCTUnwrap(original.quality)
        XCTAssertEqual(report.score, original.qualityScore)
        let sidecar = try XCTUnwrap(ContentStore(dataDirectory: host.paths.data).readSidecar(relativeImagePath: original.filePath))
        XCTAssertEqual(sidecar.quality, report)

        let runs = try store.runs(of: original.imageID)
        XCTAssertEqual(runs.map(\.state), [.done])
        XCTAssertEqual(runs.first?.trigger, .automatic)
        XCTAssertEqual(runs.first?.derivativeCount, 6)
    }

    func testProcessAddsANewRunAndOverwritesNothing() throws {
        let host = try TestHost(label: "pp-rerun", config: """
            { imaging: { profiles: { web: { sizes: [{ name: "small", longEdge: 128 }], formats: { webp: { enabled: false } },
                                            enhancement: { sharpen: false } } } } }
            """)
        XCTAssertEqual(try host.cli(["generate", "--prompt", "a lamp", "--model", "preview", "--width", "256", "--height", "512"]).status, 0)
        let catalog = try host.catalog()
        let original = try XCTUnwrap(try catalog.images(ImageFilter()).first)
        let store: any PostProcessingStore = catalog
        let first = try store.derivatives(of: original.imageID)
        let firstFiles = try Dictionary(uniqueKeysWithValues: first.map {
            ($0.filePath, try Data(contentsOf: URL(fileURLWithPath: host.paths.data + "/" + $0.filePath)))
        })

        let again = try host.cli(["process", original.imageID, "--profile", "web"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("run 2, profile web, 1 derivative(s)"), again.stdout)
        let all = try store.derivatives(of: original.imageID)
        XCTAssertEqual(all.count, first.count + 1)
        let added = try XCTUnwrap(all.last)
        XCTAssertEqual(added.version, 2)
        XCTAssertEqual(added.variant, "small")
        XCTAssertEqual(added.mime, "image/jpeg")
        XCTAssertEqual([added.parameters.width, added.parameters.height], [64, 128], "aspect ratio kept")
        XCTAssertEqual(added.extra["imaging_profile"], "web")
        for (path, bytes) in firstFiles {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: host.paths.data + "/" + path)), bytes, "run 1 is untouched: \(path)")
        }

        // `images show` lists the derivatives of both runs with their scores, and the runs.
        let shown = try host.cli(["images", "show", original.imageID])
        XCTAssertEqual(shown.status, 0, shown.stderr)
        let details = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let listed = try XCTUnwrap(details["derivatives"] as? [[String: Any]])
        XCTAssertEqual(listed.map { $0["image_id"] as? String }, all.map(\.imageID))
        XCTAssertTrue(listed.allSatisfy { ($0["quality_score"] as? Double) != nil }, "\(listed)")
        XCTAssertTrue(listed.allSatisfy { ($0["quality"] as? [String: Any])?["sharpness"] != nil })
        let runs = try XCTUnwrap(details["post_processing"] as? [[String: Any]])
        XCTAssertEqual(runs.map { $0["trigger"] as? String }, ["automatic", "manual"])
        // The record itself still reads as the plain record.
        XCTAssertEqual(try JSONDecoder().decode(ImageRecord.self, from: Data(shown.stdout.utf8)).imageID, original.imageID)

        // A derivative is served like any image.
        let derivativeShown = try host.cli(["images", "show", added.imageID])
        XCTAssertEqual(derivativeShown.status, 0, derivativeShown.stderr)
        XCTAssertEqual(try JSONDecoder().decode(ImageRecord.self, from: Data(derivativeShown.stdout.utf8)).parentID, original.imageID)
    }

    func testBadRequestsNameTheImageAndTheFix() throws {
        let host = try TestHost(label: "pp-bad")
        XCTAssertEqual(try host.cli(["generate", "--prompt", "a cup", "--model", "preview", "--width", "64", "--height", "64"]).status, 0)
        let catalog = try host.catalog()
        let original = try XCTUnwrap(try catalog.images(ImageFilter()).first)
        let derivative = try XCTUnwrap(try catalog.derivatives(of: original.imageID).first)

        let unknown = try host.cli(["process", "img_nope"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("no image img_nope"), unknown.stderr)
        let notOriginal = try host.cli(["process", derivative.imageID])
        XCTAssertEqual(notOriginal.status, 2)
        XCTAssertTrue(notOriginal.stderr.contains("process the original (\(original.imageID))"), notOriginal.stderr)
        let badProfile = try host.cli(["process", original.imageID, "--profile", "nope"])
        XCTAssertEqual(badProfile.status, 2)
        XCTAssertTrue(badProfile.stderr.contains("no imaging profile named 'nope'; known profiles: default"), badProfile.stderr)
        let usage = try host.cli(["process"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("usage: imagegen process"), usage.stderr)
        XCTAssertEqual(try catalog.runs(of: original.imageID).count, 1, "refusals take no run")
    }

    func testDamagedOriginalFailsTheRunWithItsReasonAndStoresNothing() throws {
        let host = try TestHost(label: "pp-damaged", config: "{ imaging: { postProcessing: { automatic: false } } }")
        XCTAssertEqual(try host.cli(["generate", "--prompt", "a vase", "--model", "preview", "--width", "64", "--height", "64"]).status, 0)
        let catalog = try host.catalog()
        let original = try XCTUnwrap(try catalog.images(ImageFilter()).first)
        let store: any PostProcessingStore = catalog
        XCTAssertEqual(try store.derivatives(of: original.imageID).count, 0, "automatic post-processing is off")
        XCTAssertEqual(try store.backlog(maxAttempts: 3, limit: 10), [original.imageID])

        // Truncate the stored original: its checksum no longer matches the catalog.
        let path = host.paths.data + "/" + original.filePath
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let damaged = try host.cli(["process", original.imageID])
        XCTAssertEqual(damaged.status, 1)
        XCTAssertTrue(damaged.stderr.contains("no longer matches the checksum recorded in the catalog"), damaged.stderr)

        // Missing altogether.
        try FileManager.default.removeItem(atPath: path)
        let missing = try host.cli(["process", original.imageID])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("original file \(original.filePath) is missing"), missing.stderr)

        let runs = try store.runs(of: original.imageID)
        XCTAssertEqual(runs.map(\.state), [.failed, .failed])
        XCTAssertTrue(runs[1].error?.contains("is missing") ?? false, "\(runs)")
        XCTAssertEqual(try store.derivatives(of: original.imageID).count, 0)
        let folder = (path as NSString).deletingLastPathComponent
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains("-r") }, [],
                       "a failed run leaves no derivative file")
        // Manual runs count against the automatic attempts too: one more failure and the backlog lets it be.
        XCTAssertEqual(try store.backlog(maxAttempts: 3, limit: 10), [original.imageID])
        XCTAssertEqual(try store.backlog(maxAttempts: 2, limit: 10), [])
    }

    func testBacklogIsWorkedThroughByTheMaintenanceSlotAndByProcessPending() throws {
        let host = try TestHost(label: "pp-backlog", config: "{ imaging: { postProcessing: { automatic: false } } }")
        XCTAssertEqual(try host.cli(["generate", "--prompt", "a bowl", "--model", "preview", "--width", "64", "--height", "64",
                                     "--variations", "2"]).status, 0)
        let catalog = try host.catalog()
        let store: any PostProcessingStore = catalog
        let originals = try catalog.images(ImageFilter()).map(\.imageID).sorted()
        XCTAssertEqual(originals.count, 2)
        XCTAssertEqual(try store.backlog(maxAttempts: 3, limit: 10).sorted(), originals)

        let slot = try host.cli(["plan", "run", "daily/organise"])
        XCTAssertEqual(slot.status, 0, slot.stderr)
        XCTAssertTrue(slot.stdout.contains("post-processed 2 image(s) from the backlog"), slot.stdout)
        XCTAssertEqual(try store.backlog(maxAttempts: 3, limit: 10), [])
        for id in originals {
            XCTAssertEqual(try store.derivatives(of: id).count, 6, id)
            XCTAssertEqual(try store.runs(of: id).map(\.trigger), [.maintenance])
        }

        // Nothing left: `process --pending` finds nothing and renders nothing twice.
        let pending = try host.cli(["process", "--pending"])
        XCTAssertEqual(pending.status, 0, pending.stderr)
        XCTAssertTrue(pending.stdout.contains("0 image(s) waiting"), pending.stdout)
        XCTAssertEqual(try originals.map { try store.derivatives(of: $0).count }, [6, 6])
    }

    func testKilledWhilePostProcessingResumesWithOneSetOfDerivativesAndNoStrayFiles() throws {
        let host = try TestHost(label: "pp-crash")
        let first = try host.cli(["generate", "--prompt", "a crash while rendering", "--model", "preview",
                                  "--width", "64", "--height", "64"], environment: ["IMAGEGEN_CRASH_AT": "while_post_processing"])
        XCTAssertTrue(first.signalled, "killed after writing the derivative files, before their rows: \(first.stderr)")
        let catalog = try host.catalog()
        let original = try XCTUnwrap(try catalog.images(ImageFilter()).first)
        let store: any PostProcessingStore = catalog
        XCTAssertEqual(try store.runs(of: original.imageID).map(\.state), [.running], "the dead process's run")
        XCTAssertEqual(try store.derivatives(of: original.imageID).count, 0, "no row without its whole run")

        let resumed = try host.cli(["process", "--pending"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let runs = try store.runs(of: original.imageID)
        XCTAssertEqual(runs.map(\.state), [.failed, .done])
        XCTAssertTrue(runs[0].error?.contains("abandoned") ?? false)
        let derivatives = try store.derivatives(of: original.imageID)
        XCTAssertEqual(derivatives.count, 6)
        XCTAssertEqual(Set(derivatives.map(\.version)), [2])

        // Every file in the folder is the original, its sidecar or a derivative with a row.
        let folder = host.paths.data + "/" + (original.filePath as NSString).deletingLastPathComponent
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasSuffix(".tmp") })
        let known = Set([original.filePath, ContentStore(dataDirectory: "").sidecarPath(for: original.filePath)]
            .map { ($0 as NSString).lastPathComponent } + derivatives.map { ($0.filePath as NSString).lastPathComponent })
        XCTAssertEqual(files, known)
    }

    func testTheDocumentedConfigurationIsAccepted() throws {
        let text = try String(contentsOfFile: TestEnvironment.repositoryRoot + "/docs/post-processing.md", encoding: .utf8)
        let section = try XCTUnwrap(text.components(separatedBy: "## Configuration").last)
        let block = try XCTUnwrap(section.components(separatedBy: "```json5\n").dropFirst().first?.components(separatedBy: "```").first)
        let configuration = try Configuration.parse(Data(("{" + block + "}").utf8), file: "docs/post-processing.md")
        let imaging = configuration.imaging
        XCTAssertEqual(imaging.profileName(forCategory: "lingerie"), "web")
        XCTAssertEqual(imaging.profileName(forCategory: "product"), "default")
        XCTAssertEqual(imaging.profile(forCategory: "lingerie").sizes.map(\.name), ["publish", "thumbnail"])
        XCTAssertTrue(imaging.profile(forCategory: "lingerie").formats.avif.enabled)
        XCTAssertEqual(imaging.postProcessing, PostProcessingSettings())
    }

    func testInvalidImagingConfigurationIsRefusedNamingTheKey() throws {
        let cases: [(String, String)] = [
            ("{ imaging: { qualityWieghts: {} } }", "unknown key \"imaging.qualityWieghts\""),
            ("{ imaging: { profiles: { web: { sizes: [{ name: \"big one\", longEdge: 10 }] } } } }", "profiles.web.sizes name 'big one'"),
            ("{ imaging: { postProcessing: { workers: 0 } } }", "postProcessing.workers must be within 1...64"),
            ("{ imaging: { postProcessing: { workers: \"two\" } } }", "imaging.postProcessing.workers"),
            ("{ imaging: { categoryProfiles: { lingerie: \"soft\" } } }", "names profile 'soft', which is not defined"),
        ]
        for (config, message) in cases {
            let host = try TestHost(label: "pp-config", config: config)
            let result = try host.cli(["models"])
            XCTAssertEqual(result.status, 2, config)
            XCTAssertTrue(result.stderr.contains(message), "\(config): \(result.stderr)")
        }
    }
}
