import Foundation
import Glibc
import Synchronization

/// The runner protocol's framing: `u32 length | u8 kind | u64 id | body`, little-endian, where
/// length counts kind, id and body. Small on purpose: a poll is one frame each way.
///
/// Two kinds of socket carry frames (`FrameChannel.swift`): the control socket (hello, limits,
/// lanes, shutdown, and log lines and services from threads outside a call) and lanes, one per
/// call in flight, on which the caller itself waits for its reply.
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
    /// host → child: a new lane (a socket of its own, passed with SCM_RIGHTS) that the child
    /// serves on a thread of its own; calls, and the services they ask for, travel on lanes.
    case lane
}

package struct Frame: Sendable {
    package var kind: FrameKind
    package var id: UInt64
    package var body: [UInt8]
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
