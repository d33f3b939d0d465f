import Imaging
import ImagegenCore

/// The original is never touched: a missing or changed original is a state to fix first (409),
/// a locked host or missing libvips is temporary (503), and a failed render is the host's (500).
extension PostProcessingError: MeaningfulError {
    package var meaning: ErrorMeaning {
        switch self {
        case .unknownImage: return .notFound
        case .notAnOriginal: return .invalidRequest
        case .processing(_, .unknownProfile): return .unknownName
        case .alreadyRunning, .originalMissing, .originalChanged, .unreadableOriginal, .heldBack: return .conflict
        case .locked, .imagingUnavailable, .signerMissing: return .unavailable
        case .processing, .storage, .catalog, .signing: return .internal
        }
    }

    package var errorCode: String {
        switch self {
        case .unknownImage: return "not_found"
        case .notAnOriginal: return "not_an_original"
        case .processing(_, .unknownProfile): return "unknown_profile"
        case .alreadyRunning: return "already_processing"
        case .originalMissing, .originalChanged, .unreadableOriginal: return "original_unusable"
        case .locked: return "locked"
        case .heldBack: return "image_held_back"
        case .imagingUnavailable: return "imaging_unavailable"
        case .signing, .signerMissing: return "signing_failed"
        case .processing, .storage, .catalog: return "post_processing_failed"
        }
    }
}
