import Foundation
import DurableFiles
import ImagegenCore

/// Prompts in sidecar files: the sidecar keeps the record's shape, and its `prompt` and
/// `negative_prompt` fields hold envelopes bound to the image id (like the catalog row), so a
/// sidecar copied off the machine (a backup, an upload) carries no prompt in plaintext.
extension ContentStore {
    /// The record as written to disk. Never falls back to plaintext: a host that cannot seal
    /// (locked) refuses to write the sidecar.
    func sealedForDisk(_ record: ImageRecord) throws(AtomicFile.Failure) -> ImageRecord {
        guard let prompts else { return record }
        var sealed = record
        do {
            sealed.prompt = try prompts.seal(record.prompt, binding: .prompt(of: record.imageID))
            sealed.negativePrompt = try record.negativePrompt.map { try prompts.seal($0, binding: .negativePrompt(of: record.imageID)) }
        } catch {
            throw AtomicFile.Failure(path: absolute(sidecarPath(for: record.filePath)), reason: "\(error)")
        }
        return sealed
    }

    /// The record as read from disk, prompts opened (`[encrypted]` where they cannot be).
    func openedFromDisk(_ record: ImageRecord) -> ImageRecord {
        guard let prompts else { return record }
        var opened = record
        opened.prompt = prompts.openForDisplay(record.prompt, binding: .prompt(of: record.imageID))
        opened.negativePrompt = record.negativePrompt.map { prompts.openForDisplay($0, binding: .negativePrompt(of: record.imageID)) }
        return opened
    }

    /// The sidecar exactly as stored (envelopes unopened): for key rotation and tests.
    package func storedSidecar(relativeImagePath: String) -> ImageRecord? {
        guard let data = FileManager.default.contents(atPath: absolute(sidecarPath(for: relativeImagePath))) else { return nil }
        // try?: an undecodable sidecar reads as absent; key rotation counts it among the missing sidecars it reports
        return try? JSONDecoder().decode(ImageRecord.self, from: data)
    }
}
