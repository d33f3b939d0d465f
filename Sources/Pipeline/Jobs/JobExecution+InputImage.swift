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
        var input: [String: JSONValue] = [
            "data_base64": .string(data.base64EncodedString()), "mime": .string(source.mime),
            "width": .number(Double(source.parameters.width)), "height": .number(Double(source.parameters.height)),
            "sha256": .string(digest),
        ]
        if let origin = providerOrigin(of: source, plugin: candidate.plugin) { input["source"] = origin }
        o["input_image"] = .object(input)
        return .object(o)
    }

    /// Where the provider itself keeps the source image, when the same plugin made it:
    /// `{"ref": <the parent job's reference>, "index": <its output index>}`. A provider that
    /// varies or upscales only its own results (Midjourney's U/V actions on a task) needs this;
    /// the others ignore it. Nil when another plugin made the image or the parent job is gone.
    func providerOrigin(of source: ImageRecord, plugin: String) -> JSONValue? {
        guard let parentJobID = source.jobID else { return nil }
        let parent: Job?
        do {
            parent = try catalog.job(parentJobID)
        } catch {
            // Without it the plugin works from the bytes alone (or says it cannot); nothing durable depends on it.
            log.warning("cannot read job \(parentJobID), which made image \(source.imageID): \(error)")
            return nil
        }
        guard let parent, parent.pluginID == plugin, let ref = parent.jobRef, !ref.isNull,
              let index = (0..<max(parent.outputs, 1)).first(where: { JobExecution.imageID(jobID: parent.id, index: $0) == source.imageID })
        else { return nil }
        return ["ref": ref, "index": .number(Double(index))]
    }
}
