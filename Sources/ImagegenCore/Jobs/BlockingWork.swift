import Dispatch

/// Runs blocking work (fsync, SQLite commits) off the Swift cooperative pool. The pool has one
/// thread per core; a job that blocks it in fsync stalls every other job on a 2-core machine
/// (measured: 16 concurrent jobs ran no faster than 1 until storage moved here).
package enum BlockingWork {
    static let queue = DispatchQueue(label: "imagegen.blocking-io", qos: .userInitiated, attributes: .concurrent)

    package static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            queue.async {
                do { continuation.resume(returning: .success(try body())) } catch { continuation.resume(returning: .failure(error)) }
            }
        }
        return try result.get()
    }
}
