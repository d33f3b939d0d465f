import Foundation
import Glibc
import ImagegenCore
import Synchronization

/// The host services as a plugin in a child sees them: each call is a frame to the host and,
/// except for log lines, a wait for its answer. Asked during a call, on the call's lane, the
/// thread reads the answer itself; asked from another thread (one the plugin started), on the
/// control socket, whose reader hands the answer over (`deliver`). The clock is read here when
/// the host's clock is the system's.
final class ProxiedHostServices: PluginHostServices, @unchecked Sendable {
    let channel: FrameChannel
    let systemClock: Bool
    private let nextID = Atomic<UInt64>(1)
    private let waiting = Mutex<[UInt64: Waiter]>([:])

    final class Waiter: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var answer: [UInt8] = []
    }

    init(channel: FrameChannel, systemClock: Bool) {
        self.channel = channel
        self.systemClock = systemClock
    }

    var clockIsSystem: Bool { systemClock }

    /// An answer from the host (called on the reader thread).
    func deliver(_ frame: Frame) {
        guard let waiter = waiting.withLock({ $0.removeValue(forKey: frame.id) }) else { return }
        waiter.answer = frame.body
        waiter.done.signal()
    }

    private func ask(_ request: RunnerMessage.Service) -> [UInt8]? {
        if let lane = ChildLane.current {
            // The host answers on the lane before it could send anything else there.
            guard lane.channel.send(.service, id: 0, request.encoded) else { return nil }
            while case .frame(let frame) = lane.reader.receive() {
                if frame.kind == .serviceReply { return frame.body }
            }
            return nil
        }
        let id = nextID.add(1, ordering: .relaxed).newValue
        let waiter = Waiter()
        waiting.withLock { $0[id] = waiter }
        guard channel.send(.service, id: id, request.encoded) else {
            waiting.withLock { _ = $0.removeValue(forKey: id) }
            return nil
        }
        // The host answers every request or the socket closes, which ends this process.
        waiter.done.wait()
        return waiter.answer
    }

    func log(_ level: Log.Level, _ text: String, source: String) {
        var w = ByteWriter()
        w.u8(UInt8(level.rawValue)); w.text(text)
        (ChildLane.current?.channel ?? channel).send(.log, id: 0, w.bytes)
    }

    func secret(named name: String) -> String? {
        guard let answer = ask(.secret(name)) else { return nil }
        var r = ByteReader(answer)
        guard r.u8() == 1, let value = r.text() else { return nil }
        return value
    }

    func http(method: String, url: String, headers: [(String, String)], body: Data?, timeoutMilliseconds: Int,
              source: String) -> Result<PluginHTTPClient.Response, PluginHTTPClient.Failure> {
        guard let answer = ask(.http(method: method, url: url, headers: headers, body: body,
                                     timeoutMilliseconds: Int32(clamping: timeoutMilliseconds))) else {
            return .failure(.notSent("the host is gone"))
        }
        return RunnerMessage.decodeHTTP(answer)
    }

    func nowMilliseconds() -> Int64 {
        if systemClock { return Int64(Date().timeIntervalSince1970 * 1000) }
        guard let answer = ask(.now) else { return Int64(Date().timeIntervalSince1970 * 1000) }
        var r = ByteReader(answer)
        return r.i64() ?? Int64(Date().timeIntervalSince1970 * 1000)
    }
}

/// The child's end of a lane, and the lane the current thread serves (a pthread key: the plugin
/// calls host services through C, so nothing but the thread says which call it is in).
final class ChildLane: @unchecked Sendable {
    let channel: FrameChannel
    let reader: FrameReader

    init(fd: Int32) {
        channel = FrameChannel(fd: fd, ownsDescriptor: true)
        reader = FrameReader(channel)
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var current: ChildLane? {
        get { pthread_getspecific(key).map { Unmanaged<ChildLane>.fromOpaque($0).takeUnretainedValue() } }
        set {
            if let old = pthread_getspecific(key) { Unmanaged<ChildLane>.fromOpaque(old).release() }
            pthread_setspecific(key, newValue.map { Unmanaged.passRetained($0).toOpaque() })
        }
    }
}
