import Foundation
import Glibc
@testable import Host
@testable import HTTPServer

/// A deliberately dumb blocking HTTP/1.1 client on a raw socket, so tests control every byte
/// (pipelining, trickling, malformed framing) and see exactly what the server sends back.
final class HTTPServerTestClient {
    struct Response {
        var status: Int
        var headers: [String: String] // lowercased names
        var body: [UInt8]
        var bodyText: String { String(decoding: body, as: UTF8.self) }
        var errorCode: String? {
            (try? JSONDecoder().decode(HTTPErrorBody.self, from: Data(body)))?.error.code
        }
    }

    enum ClientError: Error { case connectFailed(Int32), timedOut, closed, malformed(String) }

    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, ipv6: Bool = false, receiveTimeout: Int = 5) throws {
        let family = ipv6 ? AF_INET6 : AF_INET
        fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        var result: Int32
        if ipv6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            sin6.sin6_addr = in6addr_loopback
            result = withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            sin.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            result = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw ClientError.connectFailed(code)
        }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { Glibc.close(fd) }

    /// Closes both directions now (the descriptor itself is released on deinit).
    func close() { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends everything; false once the peer is gone.
    @discardableResult
    func send(_ text: String) -> Bool { send(bytes: Array(text.utf8)) }

    @discardableResult
    func send(bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Whether bytes (or EOF) are ready to read within `milliseconds`.
    func isReadable(within milliseconds: Int32) -> Bool {
        if !buffer.isEmpty { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    /// Reads more bytes; false at EOF, throws on timeout.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if received > 0 {
            buffer.append(contentsOf: chunk[0..<received])
            return true
        }
        if received == 0 { return false }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError.timedOut }
        if errno == ECONNRESET { return false }
        throw ClientError.malformed("recv errno \(errno)")
    }

    /// Reads one response framed by Content-Length (no chunked responses from this server).
    /// `toHead`: the response answers a HEAD request, so Content-Length announces no bytes.
    func readResponse(toHead: Bool = false) throws -> Response {
        var headEnd: Int?
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffer) { headEnd = end; break }
            guard try fill() else { throw ClientError.closed }
        }
        let headBytes = Array(buffer[0..<headEnd!])
        let lines = String(decoding: headBytes, as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0] == "HTTP/1.1", let status = Int(statusParts[1]) else {
            throw ClientError.malformed(lines[0])
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw ClientError.malformed(line) }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        buffer.removeFirst(headEnd! + 4)
        let length = toHead || (100..<200).contains(status) ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard try fill() else { throw ClientError.closed }
        }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return Response(status: status, headers: headers, body: body)
    }

    /// A streamed body's text up to and including `needle` (throws on timeout or EOF first).
    func read(until needle: String) throws -> String {
        let bytes = Array(needle.utf8)
        while true {
            if let at = Self.find(bytes, in: buffer) {
                let text = String(decoding: buffer[0..<(at + bytes.count)], as: UTF8.self)
                buffer.removeFirst(at + bytes.count)
                return text
            }
            guard try fill() else { throw ClientError.closed }
        }
    }

    /// True when the server closes the connection (EOF or reset) with no further bytes.
    func isClosedByServer() -> Bool {
        guard buffer.isEmpty else { return false }
        do { return try !fill() } catch { return false }
    }

    /// Everything until EOF (for a server that must answer once and close).
    func readToEnd() -> [UInt8] {
        while (try? fill()) == true {}
        defer { buffer.removeAll() }
        return buffer
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}

/// Blocking bridge for synchronous XCTest methods (whose thread is not a cooperative-pool thread).
func runBlocking(_ operation: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        await operation()
        done.signal()
    }
    done.wait()
}

/// Request text with the given parts.
func rawRequest(_ method: String = "GET", _ target: String, headers: [String] = [], body: String? = nil) -> String {
    var lines = ["\(method) \(target) HTTP/1.1", "Host: 127.0.0.1"] + headers
    if let body { lines.append("Content-Length: \(body.utf8.count)") }
    return lines.joined(separator: "\r\n") + "\r\n\r\n" + (body ?? "")
}
