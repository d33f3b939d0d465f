/// Writes a response as HTTP/1.1 bytes: status line, headers and body in one contiguous buffer,
/// so it leaves in one `send` (one write per response avoids the Nagle / delayed-ACK stall, §8.4).
enum HTTPResponseSerializer {
    enum ConnectionHeader {
        /// Persistent HTTP/1.1: no header needed.
        case none
        case close
        /// Persistent HTTP/1.0 (the client asked for keep-alive).
        case keepAlive
    }

    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Headers the server owns; a handler's values for them are dropped.
    private static func isFramingHeader(_ name: String) -> Bool {
        HTTPHeaders.namesEqual(name, "Content-Length") || HTTPHeaders.namesEqual(name, "Transfer-Encoding")
            || HTTPHeaders.namesEqual(name, "Connection") || HTTPHeaders.namesEqual(name, "Date")
            || HTTPHeaders.namesEqual(name, "Keep-Alive")
    }

    static func serialize(
        _ response: HTTPResponse, omitBody: Bool, connection: ConnectionHeader, dateLine: [UInt8],
        defaults: HTTPHeaders = HTTPHeaders(), into out: inout [UInt8]
    ) {
        let sendsBody = !omitBody && !response.status.forbidsBody
        out.reserveCapacity(out.count + 160 + response.headers.count * 48 + (sendsBody ? response.body.count : 0))
        out.append(contentsOf: "HTTP/1.1 \(response.status.code) \(response.status.reasonPhrase)\r\n".utf8)
        for field in response.headers where !isFramingHeader(field.name) && isSafe(field) {
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: field.value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        // Headers every response carries (security headers) unless the handler set its own.
        for field in defaults where !response.headers.contains(field.name) && !isFramingHeader(field.name) && isSafe(field) {
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: field.value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: dateLine)
        // A streamed body is delimited by the connection's close (it is always `.close`).
        if response.stream == nil && response.status.code != 204 && !(100..<200).contains(response.status.code) {
            // HEAD and 304 announce the length the body would have.
            out.append(contentsOf: "Content-Length: \(response.status.forbidsBody && response.status.code != 304 ? 0 : response.body.count)\r\n".utf8)
        }
        switch connection {
        case .none: break
        case .close: out.append(contentsOf: "Connection: close\r\n".utf8)
        case .keepAlive: out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        if sendsBody { out.append(contentsOf: response.body) }
    }

    /// Refuses header injection from handlers: names must be tokens, values free of CR, LF and NUL.
    private static func isSafe(_ field: HTTPHeaders.Field) -> Bool {
        !field.name.isEmpty && field.name.utf8.allSatisfy(HTTPGrammar.isTokenByte)
            && field.value.utf8.allSatisfy(HTTPGrammar.isFieldValueByte)
    }
}
