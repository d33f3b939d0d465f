import Foundation
import Synchronization

/// Reads `/sdapi/v1/progress` on a second connection while `txt2img` blocks the first, and
/// keeps the last reading. `txt2img` has no job id and answers only when the images exist,
/// so this is the one view into a running generation; the plugin logs it and quotes it when
/// a generation is cut off. The thread is started and joined inside one submit call, so
/// nothing outlives the call (the ABI forbids threads after shutdown).
final class A1111ProgressWatcher: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let last = Mutex<Double?>(nil)

    /// Starts reading every `intervalMilliseconds`; `read` returns the progress (0…1) or nil.
    init(intervalMilliseconds: Int, read: @escaping @Sendable () -> Double?) {
        Thread.detachNewThread { [self] in
            var waited = 0
            while !stopped.load(ordering: .acquiring) {
                usleep(20_000)
                waited += 20
                guard waited >= intervalMilliseconds else { continue }
                waited = 0
                if let p = read() { last.withLock { $0 = p } }
            }
            finished.signal()
        }
    }

    /// Stops the thread and waits for it; returns the last progress seen. Call once.
    func stop() -> Double? {
        stopped.store(true, ordering: .releasing)
        finished.wait()
        return last.withLock { $0 }
    }
}
