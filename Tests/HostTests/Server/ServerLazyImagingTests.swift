import Foundation
import XCTest

/// `imagegen serve` does not map libvips (and its dependency tree: GLib, librsvg, OpenEXR, ...)
/// until the first image is checked: an idle server stays small (issue 18).
final class ServerLazyImagingTests: XCTestCase {
    /// Whether the process maps libvips. /proc files report a size of 0, so they are read to
    /// their end with read(2) rather than through a size-based reader.
    private func mapsLibvips(_ pid: Int32) throws -> Bool {
        let fd = open("/proc/\(pid)/maps", O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadNoPermission) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self).contains("libvips.so")
    }

    func testLibvipsIsLoadedByTheFirstImageNotAtStart() async throws {
        let host = try TestHost(label: "srv-lazy-vips")
        let serve = try ServerProcessTests.ServeProcess(host)
        defer { kill(serve.process.processIdentifier, SIGKILL) }
        try await serve.waitUntilListening()
        try await Task.sleep(nanoseconds: 700_000_000)  // the plugin file settles and loads
        let pid = serve.process.processIdentifier
        let models = try await serve.client.get("/v1/models")
        XCTAssertEqual(models.status, 200)
        XCTAssertFalse(try mapsLibvips(pid), "libvips mapped before any image work")

        let r = try await serve.client.generate(["prompt": "a red teapot", "parameters": ["width": 64, "height": 64], "wait": 30])
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertNotNil(r.json?["images"]?[0]?["quality_score"]?.number, "the image was checked and scored: \(r.text)")
        XCTAssertTrue(try mapsLibvips(pid), "the first image loads libvips")
    }
}
