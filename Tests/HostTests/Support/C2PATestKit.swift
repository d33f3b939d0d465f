import Foundation
import XCTest
@testable import ContentCredentials

/// What the C2PA tests need: a throw-away signing pair made with the openssl CLI (an ES256 CA and
/// a leaf with the extensions C2PA's certificate profile asks for), the library's path, and the
/// independent reader (the `c2pa` Python package, `Fixtures/c2pa_read.py`).
struct C2PATestKit {
    let folder: String
    var caCertificate: String { folder + "/ca.pem" }
    /// Leaf certificate followed by the CA: what `labelling.c2pa.certificate` takes.
    var chain: String { folder + "/chain.pem" }
    var key: String { folder + "/leaf.key" }
    /// A self-signed certificate with no extended key usage: C2PA refuses it.
    var selfSignedChain: String { folder + "/self.pem" }
    var selfSignedKey: String { folder + "/self.key" }

    init(file: StaticString = #filePath, line: UInt = #line) throws {
        folder = TestEnvironment.temporaryDirectory("c2pa")
        try """
            [req]
            distinguished_name = dn
            [dn]
            [ca]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash
            [leaf]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature
            extendedKeyUsage = emailProtection
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid,issuer
            """.write(toFile: folder + "/openssl.cnf", atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key"],
            ["req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "30", "-config", "openssl.cnf", "-extensions", "ca",
             "-subj", "/CN=imagegen test root/O=imagegen tests", "-out", "ca.pem"],
            ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "leaf.key"],
            ["req", "-new", "-key", "leaf.key", "-config", "openssl.cnf", "-subj", "/CN=imagegen test signer/O=imagegen tests", "-out", "leaf.csr"],
            ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-sha256", "-days", "30",
             "-extfile", "openssl.cnf", "-extensions", "leaf", "-out", "leaf.pem"],
            ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "self.key"],
            ["req", "-x509", "-new", "-key", "self.key", "-sha256", "-days", "30", "-config", "openssl.cnf",
             "-subj", "/CN=imagegen self-signed", "-out", "self.pem"],
        ]
        for step in steps {
            let result = try Self.run(["openssl"] + step, in: folder)
            XCTAssertEqual(result.status, 0, "openssl \(step.joined(separator: " ")): \(result.stderr)", file: file, line: line)
        }
        let chain = try String(contentsOfFile: folder + "/leaf.pem", encoding: .utf8) + String(contentsOfFile: caCertificate, encoding: .utf8)
        try chain.write(toFile: self.chain, atomically: true, encoding: .utf8)
    }

    /// Where install-deps links the library; the tests need it (an optional feature, but its tests are not optional).
    static func library(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = C2PASettings.installedLibrary
        guard FileManager.default.fileExists(atPath: path) else {
            XCTFail("\(path) is missing: run scripts/install-deps.sh (pip install c2pa-python, then the link)", file: file, line: line)
            throw XCTSkip("no C2PA library")
        }
        return path
    }

    /// The manifest of `bytes` as the Python reader sees it: `state`, `status`, `success`,
    /// `failure` (validation codes) and the active `manifest`; `error` when there is none.
    static func read(_ bytes: Data, ext: String, mime: String, trusting anchors: String? = nil,
                     file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let path = NSTemporaryDirectory() + "c2pa-read-\(UUID().uuidString).\(ext)"
        try bytes.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }  // try?: a leftover temp file is harmless
        let script = TestEnvironment.repositoryRoot + "/Tests/HostTests/Fixtures/c2pa_read.py"
        let result = try run(["python3", script, path, mime] + (anchors.map { [$0] } ?? []), in: NSTemporaryDirectory())
        XCTAssertEqual(result.status, 0, "c2pa_read.py: \(result.stderr) (install with scripts/install-deps.sh)", file: file, line: line)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try XCTUnwrap(object, result.stdout, file: file, line: line)
    }

    /// The `c2pa.created` action of a manifest read by `read`.
    static func createdAction(_ read: [String: Any]) -> [String: Any]? {
        let assertions = (read["manifest"] as? [String: Any])?["assertions"] as? [[String: Any]] ?? []
        for assertion in assertions where (assertion["label"] as? String)?.hasPrefix("c2pa.actions") == true {
            let actions = (assertion["data"] as? [String: Any])?["actions"] as? [[String: Any]] ?? []
            if let created = actions.first(where: { $0["action"] as? String == "c2pa.created" }) { return created }
        }
        return nil
    }

    static func run(_ arguments: [String], in directory: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errorsPath = NSTemporaryDirectory() + "c2pa-kit-\(UUID().uuidString).err"
        FileManager.default.createFile(atPath: errorsPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorsPath) }  // try?: a leftover temp file is harmless
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: errorsPath)
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let stderr = String(decoding: FileManager.default.contents(atPath: errorsPath) ?? Data(), as: UTF8.self)
        return (process.terminationStatus, stdout, stderr)
    }
}
