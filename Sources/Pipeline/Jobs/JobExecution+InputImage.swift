import Foundation
import Crypto
import ImagegenCore
import ImagegenJSON
import PluginHost

/// Why a `vary` or `upscale` job could not send its source image. Nothing was sent to a
/// provider: the job fails, naming the image and what to do.
struct SourceImageError: Error, CustomStringConvertible {
    var imageID: String
    var reason: String
    var description: String {
        "cannot read the source image \(imageID) of this job: \(reason). "
            + "Check `imagegen images show \(imageID)` (restore the file from a backup if it is damaged), then ask again."
    }
}

extension JobExecution {
    /// The capability the router must find on a candidate for this job, or nil for a plain
    /// generation (any candidate).
    func derivedCapability(_ job: Job) -> String? {
        let kind = GenerationKind(extra: job.extra)
        return kind == .generate ? nil : kind.capability
    }

    /// `kind`, `strength` and `scale` from the job's durable `extra` (see `imagegen_plugin.h`).
    func addDerivedFields(_ job: Job, to o: inout [String: JSONValue]) {
        let kind = GenerationKind(extra: job.extra)
        guard kind != .generate else { return }
        o["kind"] = .string(kind.rawValue)
        o["strength"] = job.extra["strength"].flatMap(Double.init).map { .number($0) } ?? .null
        o["scale"] = job.extra["scale"].flatMap(Double.init).map { .number($0) } ?? .null
    }

    /// The request `submit` gets: `requestJSON` plus, for `vary`/`upscale`, the source image read
    /// from the content store and checked against the checksum its catalog row recorded, so a
    /// damaged or swapped file is never sent (and paid for).
    func submitRequestJSON(_ job: Job, candidate: ModelTable.Candidate) throws(SourceImageError) -> JSONValue {
        let base = requestJSON(job, candidate: candidate)
        guard GenerationKind(extra: job.extra) != .generate, case .object(var o) = base else { return base }
        guard let sourceID = job.extra["parent_id"] else {
            throw SourceImageError(imageID: "(none)", reason: "the job records no parent_id")
        }
        let source: ImageRecord
        do {
            guard let found = try catalog.image(sourceID) else {
                throw SourceImageError(imageID: sourceID, reason: "it is not in the catalog (deleted?)")
            }
            source = found
        } catch let e as SourceImageError {
            throw e
        } catch {
            throw SourceImageError(imageID: sourceID, reason: "the catalog could not be read (\(error))")
        }
        let path = service.content.absolute(source.filePath)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SourceImageError(imageID: sourceID, reason: "its file \(source.filePath) cannot be read")
        }
        let bytes = [UInt8](data)
        let digest = SHA256Digest.of(bytes).hex
        guard source.contentSHA256.isEmpty || digest == source.contentSHA256 else {
            throw SourceImageError(imageID: sourceID, reason: "its file \(source.filePath) does not match its recorded SHA-256 (altered or damaged)")
        }
        o["input_image"] = .object([
            "data_base64": .string(data.base64EncodedString()), "mime": .string(source.mime),
            "width": .number(Double(source.parameters.width)), "height": .number(Double(source.parameters.height)),
            "sha256": .string(digest),
        ])
        return .object(o)
    }
}
