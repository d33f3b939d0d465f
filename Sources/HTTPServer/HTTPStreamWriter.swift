import Synchronization

/// Writes a streamed body from its producing task straight to the socket, never blocking: what
/// the kernel does not take waits in a per-connection buffer and goes out with the next write.
/// A client that lets that buffer grow past `bufferLimit` is disconnected (an `EventSource`
/// reconnects and resumes from its last id) instead of costing the server unbounded memory.
package final class HTTPStreamWriter: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var open = true
    }

    private let channel: HTTPConnectionChannel
    private let state = Mutex(State())
    package let bufferLimit: Int

    init(channel: HTTPConnectionChannel, bufferLimit: Int) {
        self.channel = channel
        self.bufferLimit = bufferLimit
    }

    /// Sends `bytes` (after anything still pending). False once the stream is over: the client
    /// is gone, or it fell behind by more than `bufferLimit`; the producer should return.
    @discardableResult
    package func write(_ bytes: [UInt8]) -> Bool {
        state.withLock { s in
            guard s.open else { return false }
            s.pending.append(contentsOf: bytes)
            guard let sent = channel.send(s.pending) else {
                s.open = false
                s.pending = []
                return false
            }
            s.pending.removeFirst(sent)
            if s.pending.count > bufferLimit {
                s.open = false
                s.pending = []
                return false
            }
            return true
        }
    }

    package func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Whether writes still go anywhere.
    package var isOpen: Bool { state.withLock { $0.open } && !channel.isClosed }

    /// Bytes waiting for the socket (what a slow client costs right now).
    package var pendingBytes: Int { state.withLock { $0.pending.count } }

    /// Ends the stream: what is still pending is handed to the socket thread to finish.
    func finish() -> [UInt8] {
        state.withLock { s in
            s.open = false
            defer { s.pending = [] }
            return s.pending
        }
    }
}
