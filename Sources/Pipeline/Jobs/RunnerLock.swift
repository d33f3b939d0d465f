import DurableFiles
/// One job runner per data folder: an exclusive lock on `<data>/runner.lock`. A second process
/// (the CLI while `serve` runs) only queues jobs and lets the lock holder run them.
public final class RunnerLock: FolderLock, @unchecked Sendable {
    /// nil when another process holds the lock.
    public init?(dataDirectory: String) {
        super.init(dataDirectory: dataDirectory, file: "runner.lock")
    }
}
