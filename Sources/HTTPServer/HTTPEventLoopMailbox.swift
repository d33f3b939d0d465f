import Glibc
import Synchronization

/// The only door into the socket thread from other threads: handler tasks post finished
/// responses that need attention, `stop()` posts the shutdown request, and a self-pipe wakes the thread's `poll()`.
///
/// Writes to the pipe are coalesced (one byte per batch) and happen under the lock, so once the
/// loop has finished and closed the pipe, a late post can never write into a reused descriptor.
final class HTTPEventLoopMailbox: Sendable {
    enum Message: Sendable {
        /// A handler task finished and the socket thread must act now (see `HTTPConnectionChannel`).
        case responseReady(connection: UInt64)
        case stop(grace: Duration)
    }

    private struct State {
        var messages: [Message] = []
        var wakePending = false
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Polled by the loop for POLLIN.
    let wakeReadFD: Int32
    private let wakeWriteFD: Int32
    private let state = Mutex(State())

    init() throws(HTTPServerError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw .threadStartFailed(errno: errno) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeReadFD = fds[0]
        wakeWriteFD = fds[1]
    }

    func post(_ message: Message) {
        state.withLock { state in
            guard !state.finished else { return }
            state.messages.append(message)
            if !state.wakePending {
                state.wakePending = true
                var byte: UInt8 = 1
                _ = write(wakeWriteFD, &byte, 1)
            }
        }
    }

    /// Called on the loop thread when the wake pipe is readable.
    func takeMessages() -> [Message] {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeReadFD, &sink, sink.count) > 0 {}
        return state.withLock { state in
            state.wakePending = false
            defer { state.messages.removeAll(keepingCapacity: true) }
            return state.messages
        }
    }

    /// Called once by the loop thread as it exits.
    func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            close(wakeReadFD)
            close(wakeWriteFD)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyFinished = state.withLock { state in
                if state.finished { return true }
                state.waiters.append(continuation)
                return false
            }
            if alreadyFinished { continuation.resume() }
        }
    }
}
