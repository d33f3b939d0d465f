import Foundation
import XCTest

/// A scripted webhook receiver on 127.0.0.1, in Python (an independent HMAC implementation):
/// answers the statuses it is given in order (`"503"`, `"429:7"` = 429 with `Retry-After: 7`;
/// the last one repeats), and logs every request with whether its signature verified.
final class AlertsWebhookTestServer {
    struct Request: Decodable {
        let path: String
        let delivery: String?
        let event: String?
        let signature: String?
        let signature_ok: Bool
        let body: String
    }

    private static let script = #"""
    import hashlib, hmac, http.server, json, os, signal, sys
    # The test runner may spawn us with SIGTERM blocked; make it work so the test can stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    log_path, statuses = sys.argv[1], sys.argv[2].split(",")
    secret = os.environ.get("WEBHOOK_TEST_SECRET", "").encode()
    state = {"i": 0}
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            sig = self.headers.get("X-Imagegen-Signature")
            ok = bool(secret) and sig is not None and hmac.compare_digest(
                sig, "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest())
            entry = {"path": self.path, "delivery": self.headers.get("X-Imagegen-Delivery"),
                     "event": self.headers.get("X-Imagegen-Event"), "signature": sig,
                     "signature_ok": ok, "body": body.decode("utf-8")}
            with open(log_path, "a") as f:
                f.write(json.dumps(entry) + "\n")
            step = statuses[min(state["i"], len(statuses) - 1)]
            state["i"] += 1
            code, _, retry = step.partition(":")
            self.send_response(int(code))
            if retry:
                self.send_header("Retry-After", retry)
            self.send_header("Content-Length", "0")
            self.end_headers()
        def log_message(self, *args):
            pass
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#

    let port: Int
    private let process: Process
    private let logURL: URL
    private let directory: URL

    init(statuses: [String], secret: String?) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let scriptURL = directory.appendingPathComponent("server.py")
        logURL = directory.appendingPathComponent("requests.jsonl")
        try Self.script.write(to: scriptURL, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, logURL.path, statuses.joined(separator: ",")]
        var environment = ProcessInfo.processInfo.environment
        environment["WEBHOOK_TEST_SECRET"] = secret ?? ""
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw XCTSkip("could not start the python3 webhook receiver")
        }
        self.port = port
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)/hooks/alerts?token=do-not-log")! }

    func requests() throws -> [Request] {
        guard let data = try? Data(contentsOf: logURL) else { return [] }
        return try data.split(separator: 0x0A).map { try JSONDecoder().decode(Request.self, from: Data($0)) }
    }

    /// Stops the receiver: SIGTERM, then SIGKILL if it is still there after 2 s (never an unbounded wait).
    func stop() {
        if process.isRunning {
            process.terminate()
            var waited = 0
            while process.isRunning && waited < 200 {
                usleep(10_000)
                waited += 1
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
