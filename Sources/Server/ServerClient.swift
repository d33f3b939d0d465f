import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPServer

/// A client for a running `imagegen serve` on this machine, for the commands that act on
/// it (`imagegen health`, `imagegen plugins reload`). It sends the API token from the same
/// place the server reads it, and tells "no server runs" apart from other failures.
package struct ServerClient: Sendable {
    package let baseURL: URL
    let token: String?
    let timeout: TimeInterval

    package init(baseURL: URL, token: String?, timeout: TimeInterval = 30) {
        self.baseURL = baseURL
        self.token = token
        self.timeout = timeout
    }

    /// Reaches the server the settings describe (a wildcard listen address through loopback).
    package init(settings: ServerSettings, timeout: TimeInterval = 30) {
        self.init(baseURL: settings.localURL, token: settings.clientToken, timeout: timeout)
    }

    /// Sends one request; returns the body of a 2xx answer, throws otherwise.
    package func call(_ method: String, _ path: String) async throws(ServerClientError) -> Data {
        let url = baseURL.appendingPathComponent(String(path.dropFirst()))
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.connectionProxyDictionary = [:]
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch let e as URLError where [.cannotConnectToHost, .networkConnectionLost, .cannotFindHost].contains(e.code) {
            throw .notRunning(baseURL)
        } catch {
            throw .failed(baseURL, error.localizedDescription)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            if status == 401 { throw .unauthorized(baseURL) }
            // try?: a body that is not our error document is reported raw below, with its HTTP status
            let body = try? JSONDecoder().decode(HTTPErrorBody.self, from: data)
            throw .http(status: status, code: body?.error.code,
                        message: body?.error.message ?? String(decoding: data.prefix(300), as: UTF8.self))
        }
        return data
    }
}
