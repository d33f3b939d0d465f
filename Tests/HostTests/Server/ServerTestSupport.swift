import Foundation
@testable import HTTPServer
@testable import ImagegenConfig
@testable import Server
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ImagegenJSON
import XCTest
@testable import Host

/// An HTTP answer as the tests look at it.
struct ServerTestResponse {
    var status: Int
    var headers: [String: String]
    var body: Data
    var json: JSONValue? { JSONValue.parse(Array(body)) }
    var text: String { String(decoding: body, as: UTF8.self) }
    var errorCode: String? { json?["error"]?["code"]?.string }
}

/// A loopback client on URLSession: async, so tests never block the cooperative threads that
/// the in-process server's handlers run on.
struct ServerTestClient: Sendable {
    let base: String
    var token: String?

    init(port: Int, token: String? = nil) {
        base = "http://127.0.0.1:\(port)"
        self.token = token
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.connectionProxyDictionary = [:]
        configuration.httpMaximumConnectionsPerHost = 16
        configuration.timeoutIntervalForRequest = 60
        return URLSession(configuration: configuration)
    }()

    func send(_ method: String, _ path: String, json: JSONValue? = nil, body: Data? = nil,
              headers: [String: String] = [:]) async throws -> ServerTestResponse {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let json {
            request.httpBody = json.encoded()
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let (data, response) = try await ServerTestClient.session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields { fields["\(k)".lowercased()] = "\(v)" }
        return ServerTestResponse(status: http.statusCode, headers: fields, body: data)
    }

    func get(_ path: String) async throws -> ServerTestResponse { try await send("GET", path) }

    /// POST /v1/generations.
    func generate(_ fields: [String: JSONValue]) async throws -> ServerTestResponse {
        try await send("POST", "/v1/generations", json: .object(fields))
    }
}

/// A `HostServer` on 127.0.0.1 (a kernel-chosen port) over a throw-away `TestHost`, with a
/// fast folder watcher.
final class ServerTestHarness: @unchecked Sendable {
    let host: TestHost
    let server: HostServer
    let client: ServerTestClient

    init(label: String, plugins: [String] = ["preview"], extraPlugins: [String] = [], config: String = "{}",
         token: String? = nil, environment: [String: String] = [:],
         watchMilliseconds: Int = 50, settleMilliseconds: Int = 150) async throws {
        host = try TestHost(label: label, plugins: plugins, extraPlugins: extraPlugins, config: config)
        var settings = try ServerSettings(configuration: try Configuration.load(path: host.paths.config),
                                          listen: "127.0.0.1:0", environment: environment)
        if let token { settings.token = try BearerToken(token) }
        settings.watchIntervalMilliseconds = watchMilliseconds
        settings.settleMilliseconds = settleMilliseconds
        settings.shutdownGraceSeconds = 2
        server = try HostServer(paths: host.paths, settings: settings, log: host.log)
        try await server.start()
        client = ServerTestClient(port: server.port!, token: token)
        // Files copied in just now are younger than the settle time: the watcher loads them.
        try await waitUntilFolderIsLoaded()
    }

    /// Until every `.so` in the plugins folder has been scanned (loaded or refused).
    func waitUntilFolderIsLoaded() async throws {
        let folder = host.paths.plugins
        try await eventually(10, "the plugins folder is scanned") {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".so") && !$0.hasPrefix(".") }
            return Set(server.runtime.plugins.records.map(\.file)) == Set(files)
        }
    }

    func stop() async { await server.stop(grace: 2) }

    /// Polls `condition` every 20 ms for up to `seconds` (a bound against hangs, not a timing assertion).
    func eventually(_ seconds: Double = 10, _ what: String, _ condition: () async throws -> Bool,
                    file: StaticString = #filePath, line: UInt = #line) async throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try await condition() { return }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        XCTFail("timed out waiting: \(what)", file: file, line: line)
    }

    /// Replaces a plugin file the safe way: write a hidden copy, then rename over.
    static func drop(_ source: String, as name: String, into folder: String) throws {
        let hidden = folder + "/." + name + ".tmp"
        try? FileManager.default.removeItem(atPath: hidden)
        try FileManager.default.copyItem(atPath: source, toPath: hidden)
        XCTAssertEqual(rename(hidden, folder + "/" + name), 0)
    }

    /// The job ids a Preview build logged on submit (config `submit_log`).
    static func submitLog(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
