import Foundation
import PluginAPI
import Synchronization
import ImagegenCore

/// The `imagegen_host` table given to one loaded plugin copy, and the Swift context behind it.
///
/// Each generation gets its own table so log lines name the plugin, and the table (like the
/// plugin's image) is kept for the life of the process: the plugin may hold the pointer until
/// its `shutdown` returns, and retired generations are never unmapped.
final class HostServiceTable: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<imagegen_host>
    let context: Context

    final class Context: @unchecked Sendable {
        let source = Mutex("plugin")
        let services: any PluginHostServices
        init(services: any PluginHostServices) {
            self.services = services
        }
    }

    /// Response memory handed to a plugin until it calls `http_release`.
    final class ResponseStorage {
        let headers: UnsafeMutableBufferPointer<CChar>
        let body: UnsafeMutableBufferPointer<UInt8>
        init(headers: String, body: Data) {
            let h = Array(headers.utf8CString.dropLast())
            self.headers = .allocate(capacity: max(h.count, 1))
            _ = self.headers.initialize(from: h)
            self.body = .allocate(capacity: max(body.count, 1))
            _ = self.body.initialize(from: body)
        }
        deinit {
            headers.deallocate()
            body.deallocate()
        }
    }

    init(context: Context) {
        self.context = context
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: imagegen_host())
        pointer.pointee.header = imagegen_table_header(struct_size: UInt32(MemoryLayout<imagegen_host>.size),
                                                       abi_major: UInt16(IMAGEGEN_ABI_MAJOR), abi_minor: UInt16(IMAGEGEN_ABI_MINOR))
        pointer.pointee.host_data = Unmanaged.passRetained(context).toOpaque()
        pointer.pointee.log = { host, level, message, len in
            guard let ctx = HostServiceTable.context(host), let message else { return }
            // Capped (a plugin's length is outside input) and cut between characters.
            let all = UnsafeRawBufferPointer(start: message, count: len)
            let kept = UTF8Cut.prefixLength(all, limit: PluginBoundaryLimits.maxLogLineBytes)
            let text = UTF8Cut.decode(UnsafeRawBufferPointer(rebasing: all.prefix(kept))) + (kept < len ? " …[cut at \(kept) of \(len) bytes]" : "")
            let lvl: Log.Level = switch level { case 0: .debug; case 1: .info; case 2: .warning; default: .error }
            ctx.services.log(lvl, text, source: ctx.source.withLock { $0 })
        }
        pointer.pointee.get_secret = { host, name, nameLen, buf, cap, outLen in
            guard let ctx = HostServiceTable.context(host), let name else { return IMAGEGEN_ERR_INTERNAL }
            let key = String(decoding: UnsafeRawBufferPointer(start: name, count: nameLen), as: UTF8.self)
            guard let value = ctx.services.secret(named: key) else { return IMAGEGEN_ERR_NOT_FOUND }
            let bytes = Array(value.utf8)
            outLen?.pointee = bytes.count
            guard let buf, cap >= bytes.count else { return IMAGEGEN_ERR_BUFFER_TOO_SMALL }
            bytes.withUnsafeBytes { if let b = $0.baseAddress { UnsafeMutableRawPointer(buf).copyMemory(from: b, byteCount: bytes.count) } }
            return IMAGEGEN_OK
        }
        pointer.pointee.http = { host, request, response, err in
            guard let ctx = HostServiceTable.context(host), let request, let response else { return IMAGEGEN_ERR_INTERNAL }
            // Until a response arrives the plugin reads "no response": status 0, nothing to
            // release (struct_size stays the plugin's).
            HostServiceTable.clear(response)
            let r = request.pointee
            func text(_ p: UnsafePointer<CChar>?, _ n: Int) -> String {
                guard let p else { return "" }
                return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
            }
            var headers: [(String, String)] = []
            for line in text(r.headers, r.headers_len).split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                                String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
            }
            let body = r.body.map { Data(bytes: $0, count: r.body_len) }
            let result = ctx.services.http(method: text(r.method, r.method_len), url: text(r.url, r.url_len),
                                          headers: headers, body: body, timeoutMilliseconds: Int(r.timeout_ms),
                                          source: ctx.source.withLock { $0 })
            switch result {
            case .success(let resp):
                let storage = ResponseStorage(headers: resp.headers.map { "\($0.0): \($0.1)\r\n" }.joined(), body: resp.body)
                response.pointee.status_code = Int32(resp.status)
                response.pointee.headers = UnsafePointer(storage.headers.baseAddress)
                response.pointee.headers_len = storage.headers.count == 1 && resp.headers.isEmpty ? 0 : storage.headers.count
                response.pointee.body = UnsafePointer(storage.body.baseAddress)
                response.pointee.body_len = resp.body.count
                response.pointee.host_data = Unmanaged.passRetained(storage).toOpaque()
                return IMAGEGEN_OK
            case .failure(.notSent(let m)):
                HostServiceTable.write(err, m)
                return IMAGEGEN_ERR_PROVIDER
            case .failure(.outcomeUnknown(let m)):
                HostServiceTable.write(err, m)
                return IMAGEGEN_ERR_TIMEOUT
            }
        }
        pointer.pointee.http_release = { _, response in
            guard let response, let data = response.pointee.host_data else { return }
            Unmanaged<ResponseStorage>.fromOpaque(data).release()
            response.pointee.host_data = nil
        }
        pointer.pointee.now_ms = { host in
            HostServiceTable.context(host)?.services.nowMilliseconds() ?? Int64(Date().timeIntervalSince1970 * 1000)
        }
        pointer.pointee.get_extension = { _, _ in nil }
    }

    /// Names log lines after the plugin once its id is known.
    func setSource(_ id: String) { context.source.withLock { $0 = id } }

    static func context(_ host: UnsafePointer<imagegen_host>?) -> Context? {
        guard let data = host?.pointee.host_data else { return nil }
        return Unmanaged<Context>.fromOpaque(data).takeUnretainedValue()
    }

    /// Everything but `struct_size` (which only the plugin writes) reads "no response".
    static func clear(_ response: UnsafeMutablePointer<imagegen_http_response>) {
        response.pointee.status_code = 0
        response.pointee.headers = nil
        response.pointee.headers_len = 0
        response.pointee.body = nil
        response.pointee.body_len = 0
        response.pointee.host_data = nil
    }

    /// The failure message into the plugin's `err`, cut between characters at its capacity.
    static func write(_ err: UnsafeMutablePointer<imagegen_error>?, _ message: String) {
        guard let err, let buf = err.pointee.message else { return }
        let bytes = UTF8Cut.bytes(message, limit: err.pointee.message_capacity)
        bytes.withUnsafeBytes { if let b = $0.baseAddress { UnsafeMutableRawPointer(buf).copyMemory(from: b, byteCount: bytes.count) } }
        err.pointee.message_len = bytes.count
    }
}
