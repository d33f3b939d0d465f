import Foundation

/// Why a command could not talk to the running server.
package enum ServerClientError: Error, Sendable, CustomStringConvertible {
    case notRunning(URL)
    case unauthorized(URL)
    case failed(URL, String)
    case http(status: Int, code: String?, message: String)

    package var description: String {
        switch self {
        case .notRunning(let url):
            return "no imagegen server is running at \(url.absoluteString); start one with `imagegen serve` "
                + "(or pass --listen ADDRESS if it listens elsewhere)"
        case .unauthorized(let url):
            return "the server at \(url.absoluteString) refused the API token: set IMAGEGEN_API_TOKEN (or the variable server.token_env names) to the server's token"
        case .failed(let url, let reason):
            return "cannot reach the server at \(url.absoluteString): \(reason)"
        case .http(let status, let code, let message):
            return "the server answered \(status)\(code.map { " \($0)" } ?? ""): \(message)"
        }
    }
}
