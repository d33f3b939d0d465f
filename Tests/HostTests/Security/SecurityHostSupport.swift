import Foundation
import XCTest
@testable import Host
@testable import CatalogSQLite
@testable import Crypto
@testable import ImagegenCore
@testable import Security

/// CLI-level helpers for the Security, Policy and Quota integration tests.
extension TestHost {
    /// Runs the CLI and fails the test with its stderr when the exit status is not `expect`.
    @discardableResult
    func run(_ args: [String], env: [String: String] = [:], expect: Int32 = 0,
             file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, signalled: Bool, stdout: String, stderr: String) {
        let out = try cli(args, environment: env)
        XCTAssertEqual(out.status, expect, "imagegen \(args.joined(separator: " ")) → \(out.status)\n\(out.stderr)", file: file, line: line)
        return out
    }

    /// The catalog as stored, without the key: what someone with a copy of the data folder sees.
    func rawCatalog() throws -> SQLiteCatalog { try SQLiteCatalog(path: paths.catalog) }

    /// `images list --json`, decoded.
    func listedImages(env: [String: String] = [:], extra: [String] = []) throws -> [ImageRecord] {
        let out = try run(["images", "list", "--json"] + extra, env: env)
        return try JSONDecoder().decode([ImageRecord].self, from: Data(out.stdout.utf8))
    }

    func jobCount() throws -> Int {
        Int(try rawCatalog().database.query("SELECT COUNT(*) AS n FROM jobs").first?["n"]?.int ?? -1)
    }

    /// Audit entries through `imagegen audit --json`.
    func auditEntries(env: [String: String] = [:]) throws -> [AuditEntry] {
        let out = try run(["audit", "--json"], env: env)
        return try JSONDecoder().decode([AuditEntry].self, from: Data(out.stdout.utf8))
    }

    var auditLogPath: String { paths.data + "/audit.log" }
}

enum SecurityFixtures {
    /// A test master key as base64, never a real secret.
    static func freshKey() -> (text: String, id: String) {
        let key = MasterKey.generate()
        return (key.exportBase64(), key.id.rawValue)
    }

    /// Every file under `folder`, recursively, with its bytes.
    static func files(under folder: String) -> [(path: String, bytes: Data)] {
        var out: [(String, Data)] = []
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        for case let relative as String in walker {
            let path = folder + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            out.append((path, data))
        }
        return out
    }

    static func writeOwnerOnly(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}

extension TestHost {
    /// A Preview build under another id whose plugin declares `nsfw_allowed: false` (like
    /// Midjourney and Stability AI): the source is copied with that one flag changed.
    static func compileStrictPreview(id: String, into folder: String) throws -> String {
        let src = TestEnvironment.repositoryRoot + "/Plugins/Preview"
        let patched = folder + "/preview_strict.c"
        let text = try String(contentsOfFile: src + "/preview.c", encoding: .utf8)
            .replacingOccurrences(of: #"\"nsfw_allowed\":true"#, with: #"\"nsfw_allowed\":false"#)
        try text.write(toFile: patched, atomically: true, encoding: .utf8)
        let out = "\(folder)/lib\(id).so"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-O1", "-fvisibility=hidden", "-I", src + "/include", "-I", src,
                             "-I", TestEnvironment.repositoryRoot + "/Sources/PluginAPI/include",
                             "-DPREVIEW_PLUGIN_ID=\"\(id)\"", "-o", out, patched, src + "/preview_json.c", src + "/preview_render.c", "-lpng"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestEnvironment.CompileFailure(message: "cc failed for \(id)") }
        return out
    }
}
