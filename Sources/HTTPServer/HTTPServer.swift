import Glibc
import Synchronization

/// A hardened HTTP/1.1 server on POSIX sockets.
///
/// ```swift
/// var router = HTTPRouter()
/// router.get("/healthz") { _ in .json(["status": "ok"]) }
/// let server = HTTPServer(configuration: .init(listen: try .init(parsing: "127.0.0.1:8080")),
///                         handler: router.handler)
/// try server.start()            // bound and accepting when this returns
/// print(server.boundAddress!)   // the real port when 0 was asked for
/// …
/// await server.stop()           // graceful: in-flight requests finish within the grace period
/// ```
///
/// One socket thread polls every connection; handlers run as tasks. See `HTTPServerLimits` and
/// `HTTPServerTimeouts` for the defences, `BearerTokenAuth` for the token rule.
package final class HTTPServer: Sendable {
    private enum State {
        case idle
        case starting
        case running(HTTPEventLoopMailbox, HTTPListenAddress)
        case stopped(HTTPEventLoopMailbox?)
    }

    package let configuration: HTTPServerConfiguration
    private let handler: HTTPHandler
    private let loopResponder: HTTPLoopResponder?
    private let state = Mutex(State.idle)
    private let counters = HTTPServerCounters()

    /// `loopResponder` answers what it can on the socket thread (`HTTPLoopResponder`); `handler`
    /// answers everything else.
    package init(configuration: HTTPServerConfiguration, handler: @escaping HTTPHandler,
                 loopResponder: HTTPLoopResponder? = nil) {
        self.configuration = configuration
        self.handler = handler
        self.loopResponder = loopResponder
    }

    /// Convenience for a router.
    package convenience init(configuration: HTTPServerConfiguration, router: HTTPRouter) {
        self.init(configuration: configuration, handler: router.handler, loopResponder: router.loopResponder)
    }

    /// Binds, listens and starts the socket thread. Refuses a listener that needs a token and has none.
    package func start() throws(HTTPServerError) {
        if configuration.lacksRequiredToken {
            throw .tokenRequired(listen: configuration.listen.description)
        }
        let canStart = state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .starting
            return true
        }
        guard canStart else { throw .alreadyStarted }

        do throws(HTTPServerError) {
            // Belt and braces with MSG_NOSIGNAL: no write to a closed peer may kill the process.
            signal(SIGPIPE, SIG_IGN)
            raiseDescriptorLimit()
            let listener = try ListeningSocket.open(configuration.listen, backlog: configuration.listenBacklog)
            let mailbox: HTTPEventLoopMailbox
            do {
                mailbox = try HTTPEventLoopMailbox()
            } catch {
                listener.close()
                throw error
            }
            let loop = HTTPEventLoop(configuration: configuration, listener: listener, handler: handler,
                                     loopResponder: loopResponder, mailbox: mailbox, counters: counters)
            try HTTPEventLoop.start(loop)
            state.withLock { $0 = .running(mailbox, listener.address) }
            configuration.log?("HTTP server: listening on \(listener.address)\(configuration.tokens.isEmpty ? "" : " (bearer token required)")")
        } catch {
            state.withLock { $0 = .idle }
            throw error
        }
    }

    /// The address actually listened on (with the kernel's port when 0 was configured); nil unless running.
    package var boundAddress: HTTPListenAddress? {
        state.withLock { state in
            if case .running(_, let address) = state { return address }
            return nil
        }
    }

    /// The bound port; nil unless running.
    package var port: Int? { boundAddress?.port }

    /// Counters since start, including requests the server answered without a handler.
    package var statistics: HTTPServerStatistics { counters.snapshot }

    /// Stops accepting (the port is released at once), closes idle connections, lets in-flight
    /// requests finish with `Connection: close` until `grace` (default: the configured
    /// `shutdownGrace`) and then closes the rest, cancelling their handler tasks. Returns when the
    /// socket thread has finished. Safe to call more than once.
    package func stop(grace: Duration? = nil) async {
        let mailbox: HTTPEventLoopMailbox? = state.withLock { state in
            switch state {
            case .running(let mailbox, _):
                state = .stopped(mailbox)
                return mailbox
            case .stopped(let mailbox):
                return mailbox
            case .idle, .starting:
                state = .stopped(nil)
                return nil
            }
        }
        guard let mailbox else { return }
        mailbox.post(.stop(grace: grace ?? configuration.timeouts.shutdownGrace))
        await mailbox.waitUntilFinished()
    }

    /// Returns when the server has stopped (for a `serve` command that waits for a signal elsewhere).
    package func waitUntilStopped() async {
        let mailbox: HTTPEventLoopMailbox? = state.withLock { state in
            switch state {
            case .running(let mailbox, _): return mailbox
            case .stopped(let mailbox): return mailbox
            case .idle, .starting: return nil
            }
        }
        await mailbox?.waitUntilFinished()
    }

    deinit {
        // A server dropped without stop() must not leave its thread serving forever.
        state.withLock { state in
            if case .running(let mailbox, _) = state { mailbox.post(.stop(grace: .zero)) }
        }
    }

    /// Each connection needs a descriptor; raise the soft limit toward the hard one if it is too
    /// low for the connection cap (Go does this at start-up since 1.19).
    private func raiseDescriptorLimit() {
        var limits = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limits) == 0 else { return }
        let wanted = rlim_t(configuration.maxConnections + 64)
        guard limits.rlim_cur < wanted else { return }
        limits.rlim_cur = min(wanted, limits.rlim_max)
        _ = setrlimit(resource, &limits)
    }
}
