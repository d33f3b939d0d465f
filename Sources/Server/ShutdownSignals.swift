import Dispatch
import Glibc

/// SIGTERM and SIGINT as events for a graceful shutdown, through dispatch signal sources.
///
/// The default disposition (die at once) is replaced by "ignore" before the sources are
/// made, so a signal that arrives between the two cannot kill the process mid-write. The
/// signals are also unblocked: a process started by another (a test runner, a supervisor)
/// may inherit a mask with them blocked, and would then never see its stop signal.
package final class ShutdownSignals {
    package static let handled: [Int32] = [SIGTERM, SIGINT]
    private let sources: [any DispatchSourceSignal]

    /// `handler` runs on a private queue for every signal received (the first starts the
    /// shutdown; a caller may treat a second as "stop now").
    package init(_ handler: @escaping @Sendable (Int32) -> Void) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in ShutdownSignals.handled { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        let queue = DispatchQueue(label: "imagegen.signals")
        sources = ShutdownSignals.handled.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    package static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        default: return "signal \(number)"
        }
    }

    deinit {
        for s in sources { s.cancel() }
    }
}
