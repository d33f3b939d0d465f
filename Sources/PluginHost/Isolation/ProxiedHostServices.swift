import Foundation
import ImagegenCore
import Synchronization

/// The host services as a plugin in a child sees them: each call is a frame to the host and,
/// except for log lines, a wait for its answer. The child's reader thread hands the answers
/// over (`deliver`).
final class ProxiedHostServices: PluginHostServices, @unchecked Sendable {
    let channel: FrameChannel
    private let nextID = Atomic<UInt64>(1)
    private let waiting = Mutex<[UInt64: Waiter]>([:])

    final class Waiter: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var answer: [UInt8] = []
    }

    init(channel: FrameChannel) { self.channel = channel }

    /// An answer from the host (called on the reader thread).
    func deliver(_ frame: Frame) {
        guard let waiter = waiting.withLock({ $0.removeValue(forKey: frame.id) }) else { return }
        waiter.answer = frame.body
        waiter.done.signal()
    }

    private func ask(_ request: RunnerMessage.Service) -> [UInt8]? {
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
        channel.send(.log, id: 0, w.bytes)
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
        guard let answer = ask(.now) else { return Int64(Date().timeIntervalSince1970 * 1000) }
        var r = ByteReader(answer)
        return r.i64() ?? Int64(Date().timeIntervalSince1970 * 1000)
    }
}
