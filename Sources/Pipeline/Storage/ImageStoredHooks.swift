import Foundation
import Synchronization
import ImagegenCore
import Imaging

/// A file that has just been stored under the data folder, with the catalog row it belongs to.
///
/// Announced once the file is on disk and its catalog row is committed, so an observer can rely on
/// both (the upload queue reads the file; post-processing reads the row). Derivatives are
/// announced the same way, with the derivative's own record.
public struct ImageStoredEvent: Sendable {
    public var record: ImageRecord
    /// The data folder the record's `filePath` (and its sidecar) are relative to.
    public var dataDirectory: String
    /// The original's perceptual hash, when the storing step computed it from its own decode,
    /// so an observer that needs it (takedown fingerprints) does not read and decode the file again.
    public var perceptualHash: PerceptualHash?

    public init(record: ImageRecord, dataDirectory: String, perceptualHash: PerceptualHash? = nil) {
        self.record = record
        self.dataDirectory = dataDirectory
        self.perceptualHash = perceptualHash
    }

    public var imagePath: String { dataDirectory + "/" + record.filePath }
}

/// Observers of stored images: the one place where modules (cloud upload, post-processing) learn
/// that an image exists, instead of each patching the storing path.
///
/// Observers run synchronously on the storing task and must not throw: a failing observer logs and
/// repairs itself later (the upload queue reconciles missed images at start), but never fails the
/// job that produced the image.
public final class ImageStoredHooks: Sendable {
    public typealias Observer = @Sendable (ImageStoredEvent) -> Void

    private let observers = Mutex<[Observer]>([])

    public init() {}

    public func add(_ observer: @escaping Observer) {
        observers.withLock { $0.append(observer) }
    }

    public func notify(_ event: ImageStoredEvent) {
        for observer in observers.withLock({ $0 }) { observer(event) }
    }

    public var isEmpty: Bool { observers.withLock { $0.isEmpty } }
}
