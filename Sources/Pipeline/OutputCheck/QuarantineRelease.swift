import Foundation
import Catalog
import ImagegenCore
import Security

/// Why a quarantined image was not released. Nothing changed when one is thrown.
package enum QuarantineReleaseError: Error, Equatable, CustomStringConvertible, MeaningfulError {
    case unknownImage(String)
    case derivative(id: String, original: String?)
    /// Only what the output check holds back is released (`status` is what the image is now).
    case notQuarantined(id: String, status: String)
    /// Explicit nudity: no category allows it, so it stays held; reject it instead.
    case hardLine(id: String, reason: String)
    case missingReason
    case reasonTooLong(Int)
    case unsupported

    package var description: String {
        switch self {
        case .unknownImage(let id): "no image \(id); list them with `imagegen images list --quarantined` or GET /v1/images?review=quarantined"
        case let .derivative(id, original): "image \(id) is a derivative; release its original \(original ?? "") instead"
        case let .notQuarantined(id, status): "image \(id) is \(status), not quarantined: only what the output check held back is released"
        case let .hardLine(id, reason):
            "image \(id) cannot be released: \(reason) is beyond what any category allows (a hard line). Reject it "
                + "(`imagegen images reject \(id) --reason R`) and generate again"
        case .missingReason: "a release needs a reason (--reason on the command line, \"reason\" in the body): why the held image is fine"
        case .reasonTooLong(let n): "the reason is \(n) characters; at most \(ReviewError.maxReasonLength) are kept"
        case .unsupported: "this catalog cannot release quarantined images"
        }
    }

    package var meaning: ErrorMeaning {
        switch self {
        case .unknownImage: .notFound
        case .notQuarantined: .conflict
        case .hardLine: .policyRefused
        case .unsupported: .internal
        case .derivative, .missingReason, .reasonTooLong: .invalidRequest
        }
    }

    package var errorCode: String {
        switch self {
        case .unknownImage: "not_found"
        case .derivative: "not_an_original"
        case .notQuarantined: "not_quarantined"
        case .hardLine: "hard_line"
        case .unsupported: "internal"
        case .missingReason, .reasonTooLong: "invalid_request"
        }
    }
}

extension GenerationService {
    /// A reviewer releases an image the output check quarantined (a false positive, or a check
    /// that could not run and the reviewer looked): it becomes `completed`, its sidecar says so,
    /// and the storing observers (uploads, post-processing) are told as for a new image. Audited
    /// with the caller and `reason`. Explicit nudity is a hard line and is never released.
    package func releaseQuarantine(imageID: String, reason: String) throws -> ImageRecord {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw QuarantineReleaseError.missingReason }
        guard reason.count <= ReviewError.maxReasonLength else { throw QuarantineReleaseError.reasonTooLong(reason.count) }
        guard let store = catalog as? any QuarantineStore else { throw QuarantineReleaseError.unsupported }
        let read = try (catalog as? any PromptRevealingImageStore)?.image(revealingPrompts: imageID) ?? catalog.image(imageID)
        guard var record = read else { throw QuarantineReleaseError.unknownImage(imageID) }
        guard record.variant == "original" else { throw QuarantineReleaseError.derivative(id: imageID, original: record.parentID) }
        guard record.status == ImageRecord.quarantined else {
            throw QuarantineReleaseError.notQuarantined(id: imageID, status: record.status)
        }
        let verdict = record.outputCheck
        if let verdict, verdict.isHardLine {
            throw QuarantineReleaseError.hardLine(id: imageID, reason: verdict.reason ?? "explicit nudity")
        }
        guard try store.releaseQuarantine(imageID: imageID) else {
            let now = try catalog.image(imageID)?.status ?? "gone"
            throw QuarantineReleaseError.notQuarantined(id: imageID, status: now)
        }
        record.status = ImageRecord.completed
        var details = ["reason": reason, "rule": verdict?.rule ?? "unknown"]
        if let held = verdict?.reason { details["verdict"] = held }
        runtime.security.audit.record(.quarantineRelease, subject: imageID, details: details)
        do {
            // The catalog row is the record; a stale sidecar is told, not fatal.
            try content.writeSidecar(record)
        } catch {
            runtime.log.warning("released \(imageID) but cannot rewrite its sidecar: \(error)", source: "output-check")
        }
        imageStored.notify(ImageStoredEvent(record: record, dataDirectory: content.dataDirectory))
        return record
    }
}
