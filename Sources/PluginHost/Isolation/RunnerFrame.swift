import Foundation
import Glibc
import Synchronization

/// The runner protocol's framing: `u32 length | u8 kind | u64 id | body`, little-endian, where
/// length counts kind, id and body. Small on purpose: a poll is one frame each way.
package enum FrameKind: UInt8, Sendable {
    /// child → host, once: the plugin loaded (ABI, extensions, describe bytes).
    case hello = 1
    /// child → host, once: the plugin refused to load (the refusal's text).
    case refused
    /// host → child: create (operation 0) or a call on an instance.
    case call
    /// child → host: a call's result.
    case reply
    /// child → host: a host service (secret, HTTP, clock) the plugin asked for.
    case service
    /// host → child: the service's answer.
    case serviceReply
    /// child → host: a log line (no answer).
    case log
    /// host → child: destroy every instance, call `shutdown`, exit.
    case shutdown
    /// host → child, after hello: the plugin's rlimits (memory MB, CPU s, open files; 0 = none).
    case limits
}

package struct Frame: Sendable {
    package var kind: FrameKind
    package var id: UInt64
    package var body: [UInt8]
}

/// Largest frame either side accepts: an image of a few hundred MB is already absurd.
package let maximumFrameBytes = 512 * 1024 * 1024

/// A connected stream socket carrying frames. Writes from many threads are serialised; one
/// thread reads.
package final class FrameChannel: Sendable {
    package let fd: Int32
    /// The largest frame body this side accepts, checked before the body is allocated.
    let maximumBody: Int
    private let writeLock = Mutex(())

    package init(fd: Int32, maximumBody: Int = maximumFrameBytes) {
        self.fd = fd
        self.maximumBody = min(maximumBody, maximumFrameBytes)
    }

    /// False when the peer is gone.
    @discardableResult
    package func send(_ kind: FrameKind, id: UInt64, _ body: [UInt8]) -> Bool {
        var header = ByteWriter()
        header.u32(UInt32(truncatingIfNeeded: 9 + body.count))
        header.u8(kind.rawValue)
        header.u64(id)
        return writeLock.withLock { _ in
            writeAll(header.bytes) && (body.isEmpty || writeAll(body))
        }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
    }

    /// The next frame; nil at end of stream, on an error or a malformed frame.
    package func receive() -> Frame? {
        var head = [UInt8](repeating: 0, count: 13)
        guard readAll(&head, count: 13) else { return nil }
        var r = ByteReader(head)
        guard let length = r.u32(), let k = r.u8(), let id = r.u64(), let kind = FrameKind(rawValue: k),
              length >= 9, Int(length) - 9 <= maximumBody else { return nil }
        var body = [UInt8](repeating: 0, count: Int(length) - 9)
        guard body.isEmpty || readAll(&body, count: body.count) else { return nil }
        return Frame(kind: kind, id: id, body: body)
    }

    private func readAll(_ buffer: inout [UInt8], count: Int) -> Bool {
        buffer.withUnsafeMutableBytes { raw -> Bool in
            var offset = 0
            while offset < count {
                let n = read(fd, raw.baseAddress! + offset, count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                if n == 0 { return false }
                offset += n
            }
            return true
        }
    }

    package func close() { shutdown(fd, Int32(SHUT_RDWR)) }
}

/// Little-endian field writer for frame bodies.
package struct ByteWriter {
    package var bytes: [UInt8] = []
    package init() {}
    package mutating func u8(_ v: UInt8) { bytes.append(v) }
    package mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    package mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    /// A length-prefixed byte string.
    package mutating func data<C: Collection>(_ v: C) where C.Element == UInt8 {
        u32(UInt32(truncatingIfNeeded: v.count))
        bytes.append(contentsOf: v)
    }
    package mutating func text(_ s: String) { data(Array(s.utf8)) }
}

/// Reads what `ByteWriter` wrote; every read is nil past the end (a malformed frame).
package struct ByteReader {
    let bytes: [UInt8]
    var offset = 0
    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    private mutating func fixed<T: FixedWidthInteger>(_: T.Type) -> T? {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { return nil }
        var v: T = 0
        withUnsafeMutableBytes(of: &v) { dst in
            bytes.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<offset + size])) }
        }
        offset += size
        return T(littleEndian: v)
    }
    package mutating func u8() -> UInt8? { fixed(UInt8.self) }
    package mutating func u32() -> UInt32? { fixed(UInt32.self) }
    package mutating func i32() -> Int32? { fixed(UInt32.self).map { Int32(bitPattern: $0) } }
    package mutating func u64() -> UInt64? { fixed(UInt64.self) }
    package mutating func i64() -> Int64? { fixed(UInt64.self).map { Int64(bitPattern: $0) } }
    package mutating func data() -> [UInt8]? {
        guard let n = u32(), offset + Int(n) <= bytes.count else { return nil }
        defer { offset += Int(n) }
        return Array(bytes[offset..<offset + Int(n)])
    }
    package mutating func text() -> String? { data().map { String(decoding: $0, as: UTF8.self) } }
}
