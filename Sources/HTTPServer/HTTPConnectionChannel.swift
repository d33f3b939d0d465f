import Glibc
import Synchronization

/// The part of a connection a handler task may touch: the socket, to send its response directly
/// from the task's thread, and the hand-back of what happened.
///
/// Why: without it every response crosses threads twice (socket thread → task → socket thread),
/// and on two busy cores each crossing adds scheduling delay to the latency tail. Sending from
/// the task puts the response on the wire one crossing after the request was read. The socket
/// thread learns about it lazily — from the next request's arrival, its deadline sweep, or a wake
/// when it must act now (pipelined input already buffered, close, partial write).
///
/// The descriptor is only closed under the same lock a task sends under, so a task can never
/// write into a closed or reused descriptor.
final class HTTPConnectionChannel: Sendable {
    /// What the task did with its response.
    struct Completion: Sendable {
        /// Bytes the task could not send (socket buffer full, or the socket thread still had output queued).
        var unsent: [UInt8]
        var closeAfter: Bool
        /// The send failed: the peer is gone.
        var failed: Bool
    }

    /// How the response must be framed, decided by the socket thread when it dispatched the request.
    struct ResponseFraming: Sendable {
        var omitBody: Bool
        var http10: Bool
        var keepAlive: Bool
    }

    private struct State {
        var closed = false
        var completion: Completion?
        /// The socket thread holds unparsed input (pipelined requests) waiting for this response.
        var inputWaiting = false
        /// The socket thread still has queued output (e.g. an unsent 100 Continue): don't overtake it.
        var outputQueued = false
        /// The task is streaming a body: the client closing its side ends the response.
        var streaming = false
    }

    let fd: Int32
    private let state = Mutex(State())

    init(fd: Int32) {
        self.fd = fd
    }

    // MARK: Socket thread

    /// Before a handler starts.
    func beginRequest(inputWaiting: Bool, outputQueued: Bool) {
        state.withLock { state in
            state.completion = nil
            state.inputWaiting = inputWaiting
            state.outputQueued = outputQueued
            state.streaming = false
        }
    }

    /// Whether the handler task is streaming a body (set before its first byte is sent).
    var isStreaming: Bool { state.withLock { $0.streaming } }

    var isClosed: Bool { state.withLock { $0.closed } }

    enum InputArrival {
        /// The task streams a body: the input is not a request.
        case streaming
        /// The handler still runs; the task will wake the socket thread when it completes.
        case pending
        case completed(Completion)
    }

    /// Input arrived while the handler runs.
    func noteInputWaiting() -> InputArrival {
        state.withLock { state in
            if state.streaming { return .streaming }
            state.inputWaiting = true
            return state.completion.take().map { .completed($0) } ?? .pending
        }
    }

    /// The completion, if the task has finished.
    func takeCompletion() -> Completion? {
        state.withLock { $0.completion.take() }
    }

    func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            Glibc.close(fd)
        }
    }

    // MARK: Handler task

    /// The task starts a streamed body (`HTTPBodyStream`).
    func beginStream() {
        state.withLock { $0.streaming = true }
    }

    /// Sends what the socket takes of `bytes` now, without blocking: how many bytes went out,
    /// or nil when the connection is closed or the send failed (the peer is gone).
    func send(_ bytes: [UInt8]) -> Int? {
        state.withLock { state in
            guard !state.closed else { return nil }
            if state.outputQueued { return 0 }
            var sent = 0
            while sent < bytes.count {
                let result = bytes.withUnsafeBytes { raw in
                    Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                }
                if result > 0 { sent += result; continue }
                if result < 0 && errno == EINTR { continue }
                if result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
                return nil
            }
            return sent
        }
    }

    /// Sends `bytes` without blocking and records the completion. Returns true when the socket
    /// thread must be woken to act on it now.
    func complete(sending bytes: [UInt8], closeAfter: Bool) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            var sent = 0
            var failed = false
            if !state.outputQueued {
                while sent < bytes.count {
                    let result = bytes.withUnsafeBytes { raw in
                        Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                    }
                    if result > 0 { sent += result; continue }
                    if result < 0 && errno == EINTR { continue }
                    failed = !(result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                    break
                }
            }
            let unsent = sent == bytes.count ? [] : Array(bytes[sent...])
            state.completion = Completion(unsent: unsent, closeAfter: closeAfter, failed: failed)
            return closeAfter || failed || !unsent.isEmpty || state.inputWaiting
        }
    }
}
