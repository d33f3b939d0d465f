import Glibc

/// Why an `HTTPServer` could not start.
package enum HTTPServerError: Error, CustomStringConvertible, Hashable {
    case tokenRequired(listen: String)
    case alreadyStarted
    case socketFailed(operation: String, listen: String, errno: Int32)
    case threadStartFailed(errno: Int32)

    package var description: String {
        switch self {
        case .tokenRequired(let listen):
            return "refusing to listen on \(listen) without an API token: set IMAGEGEN_API_TOKEN (or the variable server.token_env names, or server.token_envs), or listen on 127.0.0.1"
        case .alreadyStarted:
            return "this HTTP server was already started; create a new HTTPServer to listen again"
        case .socketFailed(let operation, let listen, let code):
            let hint = code == EADDRINUSE ? "; another process uses this port — stop it or choose another port" : ""
            return "\(operation) for \(listen) failed: \(Self.message(for: code))\(hint)"
        case .threadStartFailed(let code):
            return "could not start the HTTP server's socket thread: \(Self.message(for: code))"
        }
    }

    private static func message(for code: Int32) -> String {
        String(cString: strerror(code))
    }
}
