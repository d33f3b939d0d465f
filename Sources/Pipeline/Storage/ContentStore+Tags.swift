import DurableFiles
import ImagegenCore

extension ContentStore {
    /// Writes `tags` into the image's sidecar, leaving every other field as stored (sealed
    /// prompts stay sealed: the sidecar is never re-read through a key that may be locked).
    /// False when the image has no readable sidecar (the catalog row stays the record).
    package func rewriteSidecarTags(of record: ImageRecord, tags: [String]) throws(AtomicFile.Failure) -> Bool {
        guard var stored = storedSidecar(relativeImagePath: record.filePath) else { return false }
        stored.tags = tags
        try AtomicFile.write(try sidecarBytes(stored), to: absolute(sidecarPath(for: record.filePath)))
        return true
    }
}
