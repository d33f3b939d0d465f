import Glibc
import ImagegenCore

/// The socket thread: one `poll()` loop that accepts, reads, parses and writes for every
/// connection, and hands complete requests to Swift tasks.
///
/// Why one dedicated thread: blocking syscalls must not occupy the cooperative pool (2 threads on
/// this machine), and one poller easily carries a few thousand small requests per second while
/// the handlers run in parallel on the pool. `poll()` rather than epoll because Glibc's Swift
/// module exports it; with the connection cap (512) its O(n) set is cheap.
final class HTTPEventLoop {
    private let context: HTTPEventLoopContext
    private var listener: ListeningSocket?
    private let maxConnections: Int
    private let maxConnectionsPerAddress: Int?
    private var connections: [UInt64: HTTPConnection] = [:]
    private var nextConnectionID: UInt64 = 1

    private var pollSet: [pollfd] = []
    private var polledConnections: [HTTPConnection] = []
    private var acceptPausedUntil: UInt64 = 0
    private var forceCloseAt: UInt64 = .max
    private let sweepInterval: UInt64
    private var nextSweep: UInt64 = 0

    /// After EMFILE/ENFILE the listener stays readable; pause accepting instead of spinning (nginx: 500 ms).
    private static let acceptBackoff: UInt64 = 500_000_000

    init(configuration: HTTPServerConfiguration, listener: ListeningSocket, handler: @escaping HTTPHandler,
         loopResponder: HTTPLoopResponder?, mailbox: HTTPEventLoopMailbox, counters: HTTPServerCounters) {
        context = HTTPEventLoopContext(configuration: configuration, handler: handler, loopResponder: loopResponder,
                                       mailbox: mailbox, counters: counters)
        self.listener = listener
        maxConnections = max(1, configuration.maxConnections)
        maxConnectionsPerAddress = configuration.maxConnectionsPerAddress.map { max(1, $0) }
        // Deadlines are checked at a quarter of the shortest timeout, between 5 ms and 250 ms.
        let t = context.timeouts
        let shortest = [t.headerRead, t.bodyReadGap, t.idle, t.writeStall, t.linger].min() ?? 1_000_000_000
        sweepInterval = min(250_000_000, max(5_000_000, shortest / 4))
    }

    /// Starts the loop on its own detached thread; the loop object is handed over and never
    /// touched by the calling thread again.
    static func start(_ loop: HTTPEventLoop) throws(HTTPServerError) {
        let handover = Unmanaged.passRetained(loop).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { argument in
            let loop = Unmanaged<HTTPEventLoop>.fromOpaque(argument!).takeRetainedValue()
            loop.run()
            return nil
        }, handover)
        guard status == 0 else {
            Unmanaged<HTTPEventLoop>.fromOpaque(handover).release()
            throw .threadStartFailed(errno: status)
        }
        pthread_detach(thread)
    }

    private func run() {
        context.now = MonotonicClock.now()
        nextSweep = context.now &+ sweepInterval
        while true {
            if context.draining {
                if connections.isEmpty { break }
                if context.now >= forceCloseAt {
                    context.log?("HTTP server: grace period over, closing \(connections.count) connection(s)")
                    break
                }
            }
            let listenerIndex = buildPollSet()
            let ready = poll(&pollSet, nfds_t(pollSet.count), pollTimeoutMilliseconds())
            context.now = MonotonicClock.now()
            if ready < 0 {
                if errno != EINTR { context.log?("HTTP server: poll failed (errno \(errno))") }
                continue
            }
            if ready > 0 {
                if pollSet[0].revents != 0 { handleMessages() }
                if let listenerIndex, pollSet[listenerIndex].revents != 0 { acceptConnections() }
                handleConnectionEvents(from: listenerIndex.map { $0 + 1 } ?? 1)
            }
            if context.now >= nextSweep {
                sweepDeadlines()
                nextSweep = context.now &+ sweepInterval
            }
            forgetClosedConnections()
        }
        for connection in connections.values { connection.close() }
        connections.removeAll()
        context.counters.connectionsOpen.store(0, ordering: .relaxed)
        listener?.close()
        listener = nil
        context.mailbox.finish()
    }

    /// Index 0 is the wake pipe, then the listener when accepting, then every connection.
    private func buildPollSet() -> Int? {
        pollSet.removeAll(keepingCapacity: true)
        polledConnections.removeAll(keepingCapacity: true)
        pollSet.append(pollfd(fd: context.mailbox.wakeReadFD, events: Int16(POLLIN), revents: 0))
        var listenerIndex: Int?
        // At the cap the listener is polled only while some connection can be reclaimed for a
        // new client; otherwise a readable listener would spin the loop.
        if let listener, context.now >= acceptPausedUntil,
           liveConnections < maxConnections || hasReclaimable() {
            listenerIndex = pollSet.count
            pollSet.append(pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0))
        }
        for connection in connections.values where !connection.isClosed {
            var events: Int16 = 0
            if connection.wantsRead { events |= Int16(POLLIN) }
            if connection.wantsWrite { events |= Int16(POLLOUT) }
            // Even with no events, poll reports errors and hang-ups (a client gone mid-handler).
            pollSet.append(pollfd(fd: connection.fd, events: events, revents: 0))
            polledConnections.append(connection)
        }
        return listenerIndex
    }

    private func pollTimeoutMilliseconds() -> Int32 {
        var wakeAt = nextSweep
        if acceptPausedUntil > context.now { wakeAt = min(wakeAt, acceptPausedUntil) }
        if context.draining { wakeAt = min(wakeAt, forceCloseAt) }
        guard wakeAt > context.now else { return 0 }
        return Int32(min((wakeAt - context.now + 999_999) / 1_000_000, 1000))
    }

    private func handleMessages() {
        for message in context.mailbox.takeMessages() {
            switch message {
            case .responseReady(let id):
                connections[id]?.collectCompletion()
            case .stop(let grace):
                beginDraining(grace: grace)
            }
        }
    }

    private func acceptConnections() {
        guard let listener else { return }
        // Bounded per wake-up so established connections are served fairly under a connect storm.
        for _ in 0..<64 {
            // At the cap, accept only while a connection can be reclaimed; reclaim only for a
            // client actually accepted (never the one just admitted).
            if liveConnections >= maxConnections && !hasReclaimable() { return }
            switch listener.accept() {
            case .accepted(let fd, let peer):
                let connection = HTTPConnection(id: nextConnectionID, fd: fd, remoteAddress: peer, context: context)
                nextConnectionID += 1
                HTTPServerCounters.increment(context.counters.connectionsAccepted)
                var admitted = true
                if let perAddress = maxConnectionsPerAddress {
                    let host = connection.peerHost
                    let fromSameAddress = connections.values.filter { !$0.isClosed && $0.peerHost == host }.count
                    if fromSameAddress >= perAddress && !reclaimOldest(from: host) { admitted = false }
                }
                if admitted && liveConnections >= maxConnections && !reclaimOldest(from: nil) { admitted = false }
                guard admitted else {
                    // Not yet in `connections`: closed before it was ever polled.
                    connection.close()
                    context.closedConnections.removeLast()
                    HTTPServerCounters.increment(context.counters.connectionsReclaimed)
                    continue
                }
                connections[connection.id] = connection
            case .wouldBlock:
                return
            case .retry:
                continue
            case .exhausted(let code):
                context.log?("HTTP server: out of file descriptors or memory accepting (errno \(code)); pausing accept for 500 ms")
                acceptPausedUntil = context.now &+ Self.acceptBackoff
                return
            case .failed(let code):
                context.log?("HTTP server: accept failed (errno \(code)); pausing accept for 500 ms")
                acceptPausedUntil = context.now &+ Self.acceptBackoff
                return
            }
        }
    }

    /// Open connections not yet closed (closed ones are forgotten at the end of each turn).
    private var liveConnections: Int { connections.count - context.closedConnections.count }

    /// Whether some connection could be closed for a new client. Responses their tasks already
    /// sent are collected first, so a connection that just answered counts as idle.
    private func hasReclaimable() -> Bool {
        connections.values.contains { connection in
            connection.collectCompletion()
            return connection.isReclaimable
        }
    }

    /// Closes the oldest reclaimable connection (from `host`, or from anyone): idle keep-alive ones
    /// before ones still sending (or yet to send) a head. False when every connection has a request in progress.
    private func reclaimOldest(from host: String?) -> Bool {
        var oldestIdle: HTTPConnection?
        var oldestReading: HTTPConnection?
        for connection in connections.values {
            if let host, connection.peerHost != host { continue }
            connection.collectCompletion()
            guard connection.isReclaimable else { continue }
            if connection.isIdleKeepAlive {
                if connection.id < (oldestIdle?.id ?? .max) { oldestIdle = connection }
            } else if connection.id < (oldestReading?.id ?? .max) {
                oldestReading = connection
            }
        }
        guard let victim = oldestIdle ?? oldestReading else { return false }
        victim.close()
        HTTPServerCounters.increment(context.counters.connectionsReclaimed)
        return true
    }

    private func handleConnectionEvents(from firstIndex: Int) {
        guard firstIndex < pollSet.count else { return }
        for index in firstIndex..<pollSet.count {
            let events = Int32(pollSet[index].revents)
            if events == 0 { continue }
            let connection = polledConnections[index - firstIndex]
            if connection.isClosed { continue }
            if events & Int32(POLLIN) != 0 && connection.wantsRead {
                connection.handleReadable()
            } else if events & Int32(POLLERR | POLLHUP | POLLNVAL) != 0 {
                connection.close()
                continue
            }
            if !connection.isClosed && events & Int32(POLLOUT) != 0 && connection.wantsWrite {
                connection.handleWritable()
            }
        }
    }

    private func sweepDeadlines() {
        let now = context.now
        for connection in connections.values where !connection.isClosed {
            // Responses sent directly by their tasks are collected here at the latest.
            connection.collectCompletion()
            if !connection.isClosed && connection.deadline <= now { connection.handleDeadline() }
        }
    }

    private func forgetClosedConnections() {
        guard !context.closedConnections.isEmpty else { return }
        for id in context.closedConnections { connections.removeValue(forKey: id) }
        context.closedConnections.removeAll(keepingCapacity: true)
        context.counters.connectionsOpen.store(connections.count, ordering: .relaxed)
    }

    /// Go's `Shutdown` shape: stop accepting (and free the port), close idle connections, let the
    /// rest finish with `Connection: close`, force-close whatever remains at the deadline.
    private func beginDraining(grace: Duration) {
        forceCloseAt = min(forceCloseAt, context.now &+ grace.nanoseconds)
        guard !context.draining else { return }
        context.drainingFlag.set()
        listener?.close()
        listener = nil
        for connection in connections.values {
            connection.collectCompletion()
            if connection.isIdle { connection.close() }
        }
        context.log?("HTTP server: stopping; \(connections.count - context.closedConnections.count) connection(s) in flight")
    }
}
