import Foundation
import XCTest

/// exiftool (Debian's libimage-exiftool-perl): an independent reader of the XMP marking.
enum ExifTool {
    /// The tags of `bytes` as `Group1:Tag` → value (`-a -G1 -j -struct`).
    static func tags(_ bytes: Data, ext: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let exiftool = ["/usr/bin/exiftool", "/usr/local/bin/exiftool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = try XCTUnwrap(exiftool, "exiftool is missing: run scripts/install-deps.sh --test", file: file, line: line)
        let temp = NSTemporaryDirectory() + "/ailabel-\(UUID().uuidString).\(ext)"
        try bytes.write(to: URL(fileURLWithPath: temp))
        defer { try? FileManager.default.removeItem(atPath: temp) }  // try?: a leftover temp file is harmless
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-a", "-G1", "-j", "-struct", temp]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, file: file, line: line)
        let all = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [[String: Any]], file: file, line: line)
        return try XCTUnwrap(all.first, file: file, line: line)
    }
}
