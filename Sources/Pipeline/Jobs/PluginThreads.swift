import Dispatch
import Synchronization
import PluginHost

/// Runs blocking plugin calls off the Swift cooperative pool. Plugin functions may block on
/// the network for seconds; doing that on the pool would starve every other task.
package enum PluginThreads {
    static let queue = DispatchQueue(label: "imagegen.plugin-calls", qos: .userInitiated, attributes: .concurrent)

    package static func run<T: Sendable>(_ body: @escaping @Sendable () throws(PluginCallError) -> T) async throws(PluginCallError) -> T {
        let result: Result<T, PluginCallError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(PluginCallError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Runs `body` with a watchdog: past `limit` the caller gets `timeout` and stops waiting
    /// (an isolated plugin's own watchdog has killed its child by then; an in-process call stays
    /// blocked in the plugin, its thread lost until it returns). `abandonWhen` is asked every
    /// quarter second and ends the wait with its error (a cancel request). `returned` runs when
    /// the body really returns, whatever the caller got: the plugin's call slot is freed there.
    package static func run<T: Sendable>(limit: Double, timeout: PluginCallError,
                                         abandonWhen: (@Sendable () -> PluginCallError?)? = nil,
                                         returned: @escaping @Sendable () -> Void,
                                         _ body: @escaping @Sendable () throws(PluginCallError) -> T) async throws(PluginCallError) -> T {
        let once = Once<Result<T, PluginCallError>>()
        let result: Result<T, PluginCallError> = await withCheckedContinuation { continuation in
            once.set(continuation)
            queue.async {
                let r: Result<T, PluginCallError>
                do throws(PluginCallError) { r = .success(try body()) } catch { r = .failure(error) }
                returned()
                once.resume(r)
            }
            queue.asyncAfter(deadline: .now() + limit) { once.resume(.failure(timeout)) }
            if let abandonWhen {
                Task {
                    while !once.done {
                        try? await Task.sleep(nanoseconds: 250_000_000)  // try?: a cancelled sleep only checks sooner
                        if let e = abandonWhen() { once.resume(.failure(e)) }
                    }
                }
            }
        }
        return try result.get()
    }

    /// A continuation resumed by whichever comes first: the call, the watchdog, the abandon.
    final class Once<R: Sendable>: Sendable {
        private let state = Mutex<(CheckedContinuation<R, Never>?, Bool)>((nil, false))
        func set(_ c: CheckedContinuation<R, Never>) { state.withLock { $0.0 = c } }
        var done: Bool { state.withLock { $0.1 } }
        func resume(_ value: R) {
            let c: CheckedContinuation<R, Never>? = state.withLock { s in
                guard !s.1 else { return nil }
                s.1 = true
                defer { s.0 = nil }
                return s.0
            }
            c?.resume(returning: value)
        }
    }
}
