import Foundation
import XCTest
@testable import Host
@testable import ImagegenCore
@testable import Pipeline

/// The C example in docs/plugin-abi.md compiles, loads and generates through the host: the
/// guide cannot drift from the ABI.
final class ExamplePluginTests: XCTestCase {
    func testTheDocumentedExamplePluginGeneratesAnImage() async throws {
        let folder = TestEnvironment.temporaryDirectory("example")
        let so = folder + "/solid.so"
        try TestEnvironment.compilePlugin(source: TestEnvironment.repositoryRoot + "/docs/examples/solid_color_plugin.c",
                                          output: so, libraries: ["png"])
        let host = try TestHost(label: "example", plugins: [], extraPlugins: [so], config: "{ defaults: { model: \"solid-color\" } }")
        let generator = try host.generator()
        let images = try await generator.generateCustom(prompt: "anything", parameters: GenerationParameters(width: 16, height: 8, seed: 0x0000FF))
        await generator.shutdown()
        XCTAssertEqual(images.count, 1)
        XCTAssertEqual(images[0].parameters.width, 16)
        XCTAssertEqual(images[0].metadata.apiUsed, "solid/solid-1")
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: host.paths.data + "/" + images[0].filePath))
        XCTAssertEqual(ContentStore.sniffMIME([UInt8](bytes)), "image/png")
    }
}
