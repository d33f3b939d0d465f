import Dispatch
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
}
