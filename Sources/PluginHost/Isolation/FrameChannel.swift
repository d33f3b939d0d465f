import Foundation
import Glibc
import Synchronization

/// Largest frame either side accepts: an image of a few hundred MB is already absurd.
package let maximumFrameBytes = 512 * 1024 * 1024

/// The writing side of a connected stream socket carrying frames: one `sendmsg` per frame
/// (header and body gathered, nothing copied), serialised across threads. Reading is
/// `FrameReader`'s, on one thread at a time.
package final class FrameChannel: Sendable {
    package let fd: Int32
    /// The largest frame body this side accepts, checked before the body is allocated.
    let maximumBody: Int
    /// Lanes own their socket: it is closed when the last user lets go, never while a late
    /// writer (an HTTP answer served after its call was abandoned) still holds the channel.
    private let ownsDescriptor: Bool
    private let writeLock = Mutex(())

    package init(fd: Int32, maximumBody: Int = maximumFrameBytes, ownsDescriptor: Bool = false) {
        self.fd = fd
        self.maximumBody = min(maximumBody, maximumFrameBytes)
        self.ownsDescriptor = ownsDescriptor
    }

    deinit { if ownsDescriptor { Glibc.close(fd) } }

    /// False when the peer is gone. `passing` sends a descriptor along (SCM_RIGHTS).
    @discardableResult
    package func send(_ kind: FrameKind, id: UInt64, _ body: [UInt8], passing descriptor: Int32? = nil) -> Bool {
        var header: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &header) { h -> Bool in
            h.storeBytes(of: UInt32(truncatingIfNeeded: 9 + body.count).littleEndian, toByteOffset: 0, as: UInt32.self)
            h.storeBytes(of: kind.rawValue, toByteOffset: 4, as: UInt8.self)
            h.storeBytes(of: id.littleEndian, toByteOffset: 5, as: UInt64.self)
            return body.withUnsafeBytes { b -> Bool in
                var iov = [iovec(iov_base: h.baseAddress, iov_len: 13),
                           iovec(iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress), iov_len: b.count)]
                return writeLock.withLock { _ in
                    iov.withUnsafeMutableBufferPointer { sendAll($0.baseAddress!, count: body.isEmpty ? 1 : 2, total: 13 + body.count, descriptor) }
                }
            }
        }
    }

    private func sendAll(_ iov: UnsafeMutablePointer<iovec>, count: Int, total: Int, _ descriptor: Int32?) -> Bool {
        var control = [UInt8](repeating: 0, count: descriptor == nil ? 0 : FrameChannel.controlSpace)
        return control.withUnsafeMutableBytes { c -> Bool in
            var msg = msghdr()
            msg.msg_iov = iov
            msg.msg_iovlen = count
            if let descriptor {
                c.storeBytes(of: FrameChannel.controlHeader + MemoryLayout<Int32>.size, toByteOffset: 0, as: Int.self)
                c.storeBytes(of: Int32(SOL_SOCKET), toByteOffset: MemoryLayout<Int>.size, as: Int32.self)
                c.storeBytes(of: Int32(SCM_RIGHTS), toByteOffset: MemoryLayout<Int>.size + 4, as: Int32.self)
                c.storeBytes(of: descriptor, toByteOffset: FrameChannel.controlHeader, as: Int32.self)
                msg.msg_control = c.baseAddress
                msg.msg_controllen = c.count
            }
            var sent = 0, first = 0
            while true {
                let n = sendmsg(fd, &msg, Int32(MSG_NOSIGNAL))
                if n < 0 { if errno == EINTR { continue }; return false }
                sent += n
                if sent >= total { return true }
                // A partial write: the descriptor went with the first byte; step over what left.
                msg.msg_control = nil
                msg.msg_controllen = 0
                var left = n
                while left > 0 {
                    if left >= iov[first].iov_len { left -= iov[first].iov_len; first += 1 } else {
                        iov[first].iov_base += left
                        iov[first].iov_len -= left
                        left = 0
                    }
                }
                msg.msg_iov = iov + first
                msg.msg_iovlen = count - first
            }
        }
    }

    /// `struct cmsghdr` (length, level, type) and the room for one descriptor after it.
    static let controlHeader = (MemoryLayout<cmsghdr>.size + MemoryLayout<Int>.size - 1) & ~(MemoryLayout<Int>.size - 1)
    static let controlSpace = controlHeader + MemoryLayout<Int>.size

    package func close() { shutdown(fd, Int32(SHUT_RDWR)) }
}

/// Reads frames from one socket through a buffer, so one `read` usually brings a whole frame
/// (often several). One thread reads at a time. Descriptors that arrive with SCM_RIGHTS (new
/// lanes, on the child's control socket) are kept in arrival order for `takeDescriptor`.
package final class FrameReader {
    package enum Next {
        case frame(Frame)
        /// The deadline passed first; the stream may be mid-frame, so it is not read again.
        case timedOut
        /// End of stream, an error or a malformed frame.
        case closed
    }

    let fd: Int32
    let maximumBody: Int
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
    private var start = 0, end = 0
    private var descriptors: [Int32] = []

    package init(_ channel: FrameChannel) {
        fd = channel.fd
        maximumBody = channel.maximumBody
    }

    deinit {
        buffer.deallocate()
        for d in descriptors { Glibc.close(d) }
    }

    /// The oldest descriptor received and not yet taken.
    package func takeDescriptor() -> Int32? { descriptors.isEmpty ? nil : descriptors.removeFirst() }

    /// Whether the last `receive` given a spin found its frame's start within the spin.
    private(set) var spinHit = false

    /// The next frame. `deadline` is in `DispatchTime` uptime nanoseconds; nil waits for ever.
    /// Given `spinUntil`, polls without sleeping until then before it sleeps (`LaneSpin`).
    package func receive(until deadline: UInt64? = nil, spinUntil: UInt64? = nil) -> Next {
        var spinning = spinUntil
        spinHit = end - start >= 13
        while end - start < 13 {
            if let until = spinning {
                spinning = nil
                switch spin(until: until) {
                case .some(let failed): return failed
                case .none where end - start > 0: spinHit = true; continue
                case .none: break
                }
            }
            if let failed = fill(deadline) { return failed }
        }
        let head = UnsafeRawBufferPointer(rebasing: buffer[start..<start + 13])
        let length = Int(UInt32(littleEndian: head.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        let id = UInt64(littleEndian: head.loadUnaligned(fromByteOffset: 5, as: UInt64.self))
        guard let kind = FrameKind(rawValue: head[4]), length >= 9, length - 9 <= maximumBody else { return .closed }
        start += 13
        let count = length - 9
        var failure: Next?
        let body = [UInt8](unsafeUninitializedCapacity: count) { dst, initialized in
            let buffered = min(end - start, count)
            if buffered > 0 {
                UnsafeMutableRawBufferPointer(dst).copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[start..<start + buffered]))
                start += buffered
            }
            var filled = buffered
            // The rest of a large body goes straight into place, never past this frame.
            while filled < count {
                guard wait(deadline) else { failure = .timedOut; break }
                let n = read(fd, dst.baseAddress! + filled, count - filled)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failure = .closed; break }
                filled += n
            }
            initialized = failure == nil ? count : 0
        }
        if let failure { return failure }
        return .frame(Frame(kind: kind, id: id, body: body))
    }

    /// Reads what is there into the buffer; the failure when nothing came.
    private func fill(_ deadline: UInt64?) -> Next? {
        compact()
        guard wait(deadline) else { return .timedOut }
        let n = readSome(flags: 0)
        if n <= 0 { return .closed }
        end += n
        return nil
    }

    /// Reads without sleeping until `until` (uptime ns) or something came; nil when nothing
    /// came (or something did: see `end`), the failure when the stream ended.
    private func spin(until: UInt64) -> Next? {
        compact()
        while true {
            let n = readSome(flags: Int32(MSG_DONTWAIT))
            if n > 0 { end += n; return nil }
            if n == 0 { return .closed }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else { return .closed }
            if DispatchTime.now().uptimeNanoseconds >= until { return nil }
        }
    }

    /// One `recvmsg` into the buffer's free end, keeping any descriptors that came with it.
    private func readSome(flags: Int32) -> Int {
        var control = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &control) { c -> Int in
            var iov = iovec(iov_base: buffer.baseAddress! + end, iov_len: buffer.count - end)
            return withUnsafeMutablePointer(to: &iov) { iovp -> Int in
                var msg = msghdr()
                msg.msg_iov = iovp
                msg.msg_iovlen = 1
                msg.msg_control = c.baseAddress
                msg.msg_controllen = c.count
                var n: Int
                repeat { n = recvmsg(fd, &msg, Int32(MSG_CMSG_CLOEXEC) | flags) } while n < 0 && errno == EINTR && flags == 0
                if n >= 0 && msg.msg_controllen >= FrameChannel.controlHeader { collect(UnsafeRawBufferPointer(c), length: msg.msg_controllen) }
                return n
            }
        }
    }

    /// Moves what is buffered to the buffer's start.
    private func compact() {
        guard start > 0 else { return }
        if end > start { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start) }
        end -= start
        start = 0
    }

    /// Keeps the descriptors of every SCM_RIGHTS message in `control`.
    private func collect(_ control: UnsafeRawBufferPointer, length: Int) {
        var offset = 0
        let word = MemoryLayout<Int>.size
        while offset + FrameChannel.controlHeader <= length {
            let len = control.loadUnaligned(fromByteOffset: offset, as: Int.self)
            let level = control.loadUnaligned(fromByteOffset: offset + word, as: Int32.self)
            let type = control.loadUnaligned(fromByteOffset: offset + word + 4, as: Int32.self)
            guard len >= FrameChannel.controlHeader, offset + len <= length else { return }
            if level == SOL_SOCKET && type == Int32(SCM_RIGHTS) {
                var at = offset + FrameChannel.controlHeader
                while at + 4 <= offset + len {
                    descriptors.append(control.loadUnaligned(fromByteOffset: at, as: Int32.self))
                    at += 4
                }
            }
            offset += (len + word - 1) & ~(word - 1)
        }
    }

    /// Waits until the socket is readable; false once the deadline has passed.
    private func wait(_ deadline: UInt64?) -> Bool {
        guard let deadline else { return true }
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return false }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(clamping: (deadline - now + 999_999) / 1_000_000)
            let r = poll(&p, 1, ms)
            if r > 0 { return true }
            if r < 0 && errno != EINTR { return true }  // the read that follows reports it
        }
    }
}
