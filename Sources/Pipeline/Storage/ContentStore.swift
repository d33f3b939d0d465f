import Foundation
import Crypto
import DurableFiles
import ImagegenCore

/// The image files: `content/<category>/<yyyy>/<mm>/<image_id>.<ext>` under the data folder,
/// each with its sidecar `<image_id>.json`. Files are written atomically; writing the same
/// image again (a resumed job) replaces it with identical bytes rather than adding a copy.
public struct ContentStore: Sendable {
    public let dataDirectory: String
    /// When set, the sidecar's prompt fields hold envelopes (see `ContentStore+PromptProtection`).
    public let prompts: PromptProtection?

    public init(dataDirectory: String, prompts: PromptProtection? = nil) {
        self.dataDirectory = dataDirectory
        self.prompts = prompts
    }

    /// The path relative to the data folder (what records store).
    public func relativePath(category: String, date: Date, imageID: String, ext: String) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month], from: date)
        return String(format: "content/%@/%04d/%02d/%@.%@", category, c.year ?? 1970, c.month ?? 1, imageID, ext)
    }

    public func absolute(_ relative: String) -> String { dataDirectory + "/" + relative }

    public func writeImage(_ bytes: [UInt8], relativePath: String) throws(AtomicFile.Failure) {
        try AtomicFile.write(bytes, to: absolute(relativePath))
    }

    /// The image and its sidecar, atomically, in two halves for the job runner: `stage` puts the
    /// bytes in temp files (blocking; run it off the cooperative pool), `AtomicFileBatch.commit`
    /// makes them durable together with every other job's that finishes within the same round.
    package func stage(image bytes: [UInt8], record: ImageRecord) throws(AtomicFile.Failure) -> AtomicFileBatch.Ticket {
        let sidecar = try sidecarBytes(try sealedForDisk(record))
        return try AtomicFileBatch.shared.stage([(bytes, absolute(record.filePath)),
                                                 (sidecar, absolute(sidecarPath(for: record.filePath)))])
    }

    /// The sidecar's bytes. A record that does not encode (a non-finite number) is an error,
    /// never an empty sidecar written over a good one.
    /// Written directly (`ImageRecord.sidecarJSON`), in the bytes JSONEncoder wrote.
    public func sidecarBytes(_ record: ImageRecord) throws(AtomicFile.Failure) -> [UInt8] {
        do throws(PrettyJSONWriter.NonFinite) {
            return try record.sidecarJSON()
        } catch {
            throw AtomicFile.Failure(path: absolute(sidecarPath(for: record.filePath)), reason: "cannot encode the sidecar: \(error)")
        }
    }

    /// The sidecar sits beside the image: same name, `.json`.
    public func sidecarPath(for relativeImagePath: String) -> String {
        (relativeImagePath as NSString).deletingPathExtension + ".json"
    }

    public func writeSidecar(_ record: ImageRecord) throws(AtomicFile.Failure) {
        try AtomicFile.write(try sidecarBytes(try sealedForDisk(record)), to: absolute(sidecarPath(for: record.filePath)))
    }

    public func readSidecar(relativeImagePath: String) -> ImageRecord? {
        guard let data = FileManager.default.contents(atPath: absolute(sidecarPath(for: relativeImagePath))) else { return nil }
        // try?: a sidecar that does not decode reads as absent; the catalog row, not the sidecar, is the image's record
        return (try? JSONDecoder().decode(ImageRecord.self, from: data)).map(openedFromDisk)
    }

    /// The file extension for a MIME type the providers return.
    public static func fileExtension(mime: String) -> String {
        switch mime.lowercased() {
        case "image/jpeg", "image/jpg": return "jpg"
        case "image/webp": return "webp"
        case "image/avif": return "avif"
        default: return "png"
        }
    }

    /// The format the bytes really are, from their magic numbers; nil when not an image.
    public static func sniffMIME(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        if bytes.count >= 12, Array(bytes[4..<8]) == Array("ftyp".utf8) { return "image/avif" }
        return nil
    }
}
