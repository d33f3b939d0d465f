import Foundation
import ImagegenJSON
import XCTest

/// Waiting helpers for tests that drive several `serve` processes (bounds, not timing assertions).
enum ScaleOutTestSupport {
    /// A generation request was taken: 202 while its jobs run, 200 when they were all final by the
    /// time the answer was read (a loaded host can finish a 50 ms Preview job before that).
    static func isAccepted(_ status: Int) -> Bool { status == 202 || status == 200 }

    /// Until `GET /v1/models` on `serve` lists `model` (the plugin folder settled and loaded).
    static func waitForModel(_ model: String, on serve: ServerProcessTests.ServeProcess, seconds: Double = 20) async throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            let models = try await serve.client.get("/v1/models").json?["models"]?.array ?? []
            if models.contains(where: { $0["name"]?.string == model }) { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("\(model) never loaded: \(serve.output.lines.suffix(10))")
    }

    /// The state of each job once all are terminal (or when `seconds` ran out).
    static func waitForTerminal(_ ids: [String], on client: ServerTestClient, seconds: Double) async throws -> [String: String] {
        let terminal: Set<String> = ["succeeded", "failed", "cancelled", "content_filtered", "expired"]
        var states: [String: String] = [:]
        let end = Date().addingTimeInterval(seconds)
        repeat {
            for id in ids where !terminal.contains(states[id] ?? "") {
                states[id] = try await client.get("/v1/jobs/\(id)").json?["state"]?.string ?? "unknown"
            }
            if states.values.allSatisfy(terminal.contains) { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        } while Date() < end
        return states
    }
}
