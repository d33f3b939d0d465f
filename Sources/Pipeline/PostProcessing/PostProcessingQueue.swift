import Foundation
import Synchronization
import Catalog
import ImagegenCore

/// The background queue that renders the derivatives of new originals, a few at a time, so a
/// job succeeds as soon as its original is stored and never waits for post-processing.
///
/// Its backlog is the catalog (`PostProcessingStore.backlog`): images are queued in memory when
/// they are stored (`ImageStoredHooks`), and the backlog is swept at start and by the plans'
/// maintenance slots, so a crash or a restart loses no image's post-processing. Processing is
/// idempotent per image (a finished run is never repeated automatically), so queuing an image
/// twice is harmless.
///
/// ```swift
/// let queue = try PostProcessingQueue.attach(to: service, catalog: catalog)  // nil without libvips
/// await queue?.start()            // workers + sweep of the backlog (when automatic)
/// await queue?.drain(imageIDs)    // returns once those images are processed (or failed)
/// await queue?.stop()
/// ```
public actor PostProcessingQueue {
    nonisolated public let processor: PostProcessor
    nonisolated let log: Log
    nonisolated private let observer = Mutex<(@Sendable (PostProcessingReport) -> Void)?>(nil)
    /// Queued ids in order; `head` is the next one (a backlog of thousands is never shifted).
    private var pending: [String] = []
    private var head = 0
    /// Queued ids and why each was queued (recorded with its run).
    private var queued: [String: PostProcessingTrigger] = [:]
    private var inFlight: Set<String> = []
    private var idleWorkers: [CheckedContinuation<Void, Never>] = []
    private var progressWaiters: [CheckedContinuation<Void, Never>] = []
    private var workers: [Task<Void, Never>] = []
    private var running = false

    public init(processor: PostProcessor, log: Log) {
        self.processor = processor
        self.log = log
    }

    /// The queue of a host, fed by every stored original when `imaging.postProcessing.automatic`
    /// is on. Nil when libvips could not start (the reason is logged once, at start-up).
    public static func attach(to service: GenerationService, catalog: PostProcessingCatalog) throws -> PostProcessingQueue? {
        guard service.imaging != nil else { return nil }
        let queue = PostProcessingQueue(processor: try PostProcessor(service: service, catalog: catalog), log: service.runtime.log)
        if queue.processor.settings.automatic {
            service.imageStored.add { [weak queue] event in
                // A quarantined original gets no derivative (nothing of it is published).
                guard event.record.variant == "original", event.record.status == ImageRecord.completed, let queue else { return }
                let id = event.record.imageID
                Task { await queue.enqueue([id]) }
            }
        }
        return queue
    }

    /// Called after every image the queue worked on (metrics). Runs on the queue: keep it short.
    public nonisolated func onFinished(_ report: @escaping @Sendable (PostProcessingReport) -> Void) {
        observer.withLock { $0 = report }
    }

    /// Starts the workers and, with `sweepBacklog` when post-processing is automatic, queues
    /// the backlog (`imagegen serve` does; a one-shot CLI run only renders its own images).
    public func start(sweepBacklog: Bool = true) async {
        guard !running else { return }
        running = true
        for _ in 0..<processor.settings.workers {
            workers.append(Task { await self.work() })
        }
        if sweepBacklog && processor.settings.automatic { _ = await sweep() }
    }

    /// Lets the images being rendered finish, then stops the workers. What is still queued
    /// stays in the catalog's backlog for the next start.
    public func stop() async {
        guard running else { return }
        running = false
        for waiter in idleWorkers { waiter.resume() }
        idleWorkers = []
        let stopping = workers
        workers = []
        for worker in stopping { await worker.value }
        resumeProgressWaiters()
    }

    /// Queues images (originals) for a run unless they have one finished; duplicates are ignored.
    public func enqueue(_ imageIDs: [String], trigger: PostProcessingTrigger = .automatic) {
        for id in imageIDs where queued[id] == nil && !inFlight.contains(id) {
            queued[id] = trigger == .manual ? .automatic : trigger
            pending.append(id)
            if !idleWorkers.isEmpty { idleWorkers.removeFirst().resume() }
        }
    }

    /// Queues the catalog's backlog (at most `limit` images); returns the ids queued.
    @discardableResult
    public func sweep(limit: Int = 10_000, trigger: PostProcessingTrigger = .automatic) async -> [String] {
        let processor = self.processor
        let ids: [String]
        do {
            ids = try await BlockingWork.run {
                try processor.store.backlog(maxAttempts: processor.settings.maxAttempts, limit: limit)
            }
        } catch {
            log.warning("post-processing: cannot read the backlog from the catalog: \(error)", source: "imaging")
            return []
        }
        if !ids.isEmpty { log.info("post-processing: \(ids.count) image(s) in the backlog", source: "imaging") }
        enqueue(ids, trigger: trigger)
        return ids
    }

    /// Queues `imageIDs` and returns once none of them is queued or being rendered (each has
    /// been processed, skipped or has failed), or when the queue stops.
    public func drain(_ imageIDs: [String]) async {
        enqueue(imageIDs)
        let watched = Set(imageIDs)
        while running && (watched.contains { queued[$0] != nil } || !watched.isDisjoint(with: inFlight)) {
            await withCheckedContinuation { progressWaiters.append($0) }
        }
    }

    /// Queues the backlog and waits until it is worked through (images being rendered right
    /// now included): a plan's maintenance slot. Returns the number of images in the backlog.
    public func processBacklog() async -> Int {
        let ids = await sweep(trigger: .maintenance)
        await drain(ids)
        return ids.count
    }

    // MARK: - Workers

    private func work() async {
        while running {
            guard let (id, trigger) = next() else {
                await withCheckedContinuation { idleWorkers.append($0) }
                continue
            }
            let processor = self.processor
            let started = ContinuousClock.now
            let outcome: Result<ProcessedImage?, PostProcessingError>
            do {
                outcome = .success(try await BlockingWork.run {
                    try processor.process(imageID: id, trigger: trigger)
                })
            } catch let error as PostProcessingError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(.catalog(imageID: id, reason: "\(error)"))
            }
            finish(id, outcome)
            let seconds = (ContinuousClock.now - started).seconds
            let result: PostProcessingReport.Result
            switch outcome {
            case .success(.some): result = .done
            case .success(.none): result = .skipped
            case .failure: result = .failed
            }
            observer.withLock { $0 }?(PostProcessingReport(trigger: trigger, result: result, seconds: seconds,
                                                           waiting: queued.count + inFlight.count))
        }
    }

    private func next() -> (String, PostProcessingTrigger)? {
        guard head < pending.count else { return nil }
        let id = pending[head]
        head += 1
        if head == pending.count {
            pending.removeAll(keepingCapacity: true)
            head = 0
        }
        let trigger = queued.removeValue(forKey: id) ?? .automatic
        inFlight.insert(id)
        return (id, trigger)
    }

    private func finish(_ id: String, _ outcome: Result<ProcessedImage?, PostProcessingError>) {
        inFlight.remove(id)
        switch outcome {
        case .success(let processed?):
            log.debug("post-processing: \(id) run \(processed.run.run): \(processed.derivatives.count) derivative(s)", source: "imaging")
        case .success(nil):
            break
        case .failure(let error):
            log.warning("post-processing failed: \(error)", source: "imaging")
        }
        resumeProgressWaiters()
    }

    private func resumeProgressWaiters() {
        let waiters = progressWaiters
        progressWaiters = []
        for waiter in waiters { waiter.resume() }
    }
}
