import Foundation
@testable import Host
@testable import Crypto

/// Temporary directories and fixed keys for the Security tests.
enum SecurityTestSupport {
    /// A fresh directory under the system temp dir, removed by the caller's `addTeardownBlock`.
    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("imagegen-security-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Deterministic test keys (hex of 32 bytes): never real secrets.
    static let hexKeyA = String(repeating: "0123456789abcdef", count: 4)
    static let hexKeyB = String(repeating: "fedcba9876543210", count: 4)

    static func key(_ hex: String) throws -> MasterKey {
        try MasterKey(encoded: hex, source: "test key")
    }

    static func writeFile(_ url: URL, _ text: String, mode: Int) throws {
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }
}
