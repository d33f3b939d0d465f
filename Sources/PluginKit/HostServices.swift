import Foundation
import PluginAPI

/// The host's services (log, secrets, HTTP, clock) as Swift calls.
///
/// Providers use the host's HTTP client rather than their own so that the host applies its
/// timeouts, redacts secrets, counts requests and can point base URLs at test emulators.
public struct HostServices: @unchecked Sendable {
    // The host table lives until shutdown() returns, and every function on it is thread-safe.
    let table: UnsafePointer<imagegen_host>

    public enum LogLevel: Int32, Sendable { case debug = 0, info, warning, error }

    /// An HTTP response, copied out of host memory.
    public struct HTTPResponse: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]

        public func header(_ name: String) -> String? { headers[name.lowercased()] }
        public var json: JSONValue? { JSONValue.parse(body) }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    init(_ table: UnsafePointer<imagegen_host>) { self.table = table }

    public func log(_ level: LogLevel, _ message: String) {
        guard let log = table.pointee.log else { return }
        var m = message
        m.withUTF8 { log(table, level.rawValue, UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: CChar.self), $0.count) }
    }

    /// The secret `name`, or nil when it is not set.
    public func secret(_ name: String) -> String? {
        guard let get = table.pointee.get_secret else { return nil }
        var capacity = 256
        while true {
            var buf = [CChar](repeating: 0, count: capacity)
            var len = 0
            var n = name
            let status = n.withUTF8 { nb in
                get(table, UnsafeRawPointer(nb.baseAddress)?.assumingMemoryBound(to: CChar.self), nb.count, &buf, capacity, &len)
            }
            if status == IMAGEGEN_ERR_BUFFER_TOO_SMALL, len > capacity { capacity = len; continue }
            guard status == IMAGEGEN_OK else { return nil }
            let value = String(decoding: buf.prefix(len).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            for i in buf.indices { buf[i] = 0 }
            return value
        }
    }

    /// Wall-clock milliseconds from the host's clock (which tests may fake).
    public func nowMilliseconds() -> Int64 {
        table.pointee.now_ms.map { $0(table) } ?? Int64(Date().timeIntervalSince1970 * 1000)
    }

    /// One HTTP request through the host. Throws `.timeout` or `.provider` when no response
    /// arrived; any status code is returned for the provider to classify.
    public func http(_ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                     timeoutMilliseconds: Int = 0) throws(ProviderError) -> HTTPResponse {
        guard let http = table.pointee.http, let release = table.pointee.http_release else {
            throw ProviderError(.unsupported, "the host offers no HTTP service")
        }
        let headerBlock = headers.map { "\($0.0): \($0.1)\r\n" }.joined()
        var method = method, url = url, headerText = headerBlock
        let bodyBytes = body ?? []
        var messageBuffer = [CChar](repeating: 0, count: 1024)
        var response = imagegen_http_response()
        response.struct_size = UInt32(MemoryLayout<imagegen_http_response>.size)
        var status: imagegen_status = IMAGEGEN_OK
        var errorMessage = ""
        var retryAfter: Int32 = -1
        method.withUTF8 { m in url.withUTF8 { u in headerText.withUTF8 { h in bodyBytes.withUnsafeBufferPointer { b in
            messageBuffer.withUnsafeMutableBufferPointer { mb in
                var request = imagegen_http_request()
                request.struct_size = UInt32(MemoryLayout<imagegen_http_request>.size)
                request.method = UnsafeRawPointer(m.baseAddress)?.assumingMemoryBound(to: CChar.self)
                request.method_len = m.count
                request.url = UnsafeRawPointer(u.baseAddress)?.assumingMemoryBound(to: CChar.self)
                request.url_len = u.count
                request.headers = UnsafeRawPointer(h.baseAddress)?.assumingMemoryBound(to: CChar.self)
                request.headers_len = h.count
                request.body = b.count > 0 ? b.baseAddress : nil
                request.body_len = b.count
                request.timeout_ms = Int32(clamping: timeoutMilliseconds)
                var err = imagegen_error()
                err.struct_size = UInt32(MemoryLayout<imagegen_error>.size)
                err.retry_after_ms = -1
                err.message = mb.baseAddress
                err.message_capacity = mb.count
                status = http(table, &request, &response, &err)
                if status != IMAGEGEN_OK {
                    let n = min(err.message_len, mb.count)
                    errorMessage = String(decoding: UnsafeRawBufferPointer(start: mb.baseAddress, count: n), as: UTF8.self)
                    retryAfter = err.retry_after_ms
                }
            }
        } } } }
        guard status == IMAGEGEN_OK else {
            let kind = ProviderStatus(rawValue: status) ?? .provider
            throw ProviderError(kind, errorMessage.isEmpty ? "HTTP request failed" : errorMessage,
                                retryAfterMilliseconds: retryAfter >= 0 ? Int(retryAfter) : nil)
        }
        defer { release(table, &response) }
        let body = response.body.map { Array(UnsafeBufferPointer(start: $0, count: response.body_len)) } ?? []
        var headersOut: [String: String] = [:]
        if let h = response.headers {
            let text = String(decoding: UnsafeRawBufferPointer(start: h, count: response.headers_len), as: UTF8.self)
            for line in text.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                headersOut[name] = headersOut[name].map { "\($0), \(value)" } ?? value
            }
        }
        return HTTPResponse(status: Int(response.status_code), headers: headersOut, body: body)
    }
}
