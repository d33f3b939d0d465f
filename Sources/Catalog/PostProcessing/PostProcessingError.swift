import Imaging
/// Why an image could not be post-processed. Each message names the image (and the file or
/// setting) and says what to do; the original is never touched whatever happens.
public enum PostProcessingError: Error, Equatable, CustomStringConvertible {
    case unknownImage(String)
    /// Derivatives are made from originals only.
    case notAnOriginal(id: String, variant: String, parent: String?)
    /// libvips could not start in this process.
    case imagingUnavailable(reason: String)
    /// The image's prompt cannot be opened (the host is locked), so no derivative row can be written.
    case locked(imageID: String, reason: String)
    /// Another process is rendering this image right now.
    case alreadyRunning(imageID: String, run: Int)
    case originalMissing(imageID: String, path: String)
    /// The file on disk is not the bytes the catalog recorded.
    case originalChanged(imageID: String, path: String)
    case unreadableOriginal(imageID: String, reason: String)
    case processing(imageID: String, ImageProcessingError)
    case storage(imageID: String, reason: String)
    /// `labelling.c2pa` is on and a derivative could not be signed: nothing of the run is
    /// stored, so no derivative is ever published unsigned.
    case signing(imageID: String, reason: String)
    /// `labelling.c2pa` is on but this processor has no signer (it was not built by the host).
    case signerMissing
    case catalog(imageID: String, reason: String)
    /// Quarantined by the output check, taken down or purged: nothing is published from it.
    case heldBack(imageID: String, status: String)

    public var description: String {
        switch self {
        case let .unknownImage(id):
            "no image \(id); list them with `imagegen images list`"
        case let .notAnOriginal(id, variant, parent):
            "image \(id) is the '\(variant)' derivative of \(parent ?? "another image"); process the original (\(parent ?? "its parent")) instead"
        case let .imagingUnavailable(reason):
            "post-processing is unavailable in this process: \(reason)"
        case let .locked(id, reason):
            "image \(id): its prompt cannot be opened (\(reason)); unlock the host with its encryption key, then run `imagegen process \(id)` again"
        case let .alreadyRunning(id, run):
            "image \(id) is being post-processed right now (run \(run)); wait for it to finish and look with `imagegen images show \(id)`"
        case let .originalMissing(id, path):
            "image \(id): its original file \(path) is missing; restore it (`imagegen restore`, or `imagegen storage sync` re-fetches from cloud storage) before processing"
        case let .originalChanged(id, path):
            "image \(id): \(path) no longer matches the checksum recorded in the catalog; restore the original file before processing"
        case let .unreadableOriginal(id, reason):
            "image \(id): the stored original cannot be decoded (\(reason)); restore it from a backup"
        case let .processing(id, error):
            "image \(id): \(error)"
        case let .storage(id, reason):
            "image \(id): cannot store its derivatives (\(reason)); check free space and permissions of the data folder, then run `imagegen process \(id)`"
        case let .signing(id, reason):
            "image \(id): cannot sign its derivatives with Content Credentials (\(reason)); fix labelling.c2pa (`imagegen config check`), then run `imagegen process \(id)`"
        case .signerMissing:
            "labelling.c2pa is enabled but this post-processor has no C2PA signer; open the host through HostComposition (the CLI, ImageGenerator or serve)"
        case let .catalog(id, reason):
            "image \(id): the catalog refused the post-processing record (\(reason))"
        case let .heldBack(id, status):
            "image \(id) is \(status): no derivative is made of it; see `imagegen images show \(id)` for why"
        }
    }
}
