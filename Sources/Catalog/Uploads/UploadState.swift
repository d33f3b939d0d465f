/// Where a file is in the upload queue.
///
/// `pending` → `uploading` (claimed by a worker) → `uploaded`; a failed attempt goes back to
/// `pending` with a later `next_attempt_at`, or to `failed` when it cannot succeed by waiting
/// (wrong credentials, missing file) or has used `max_attempts`. A restart puts `uploading` rows
/// back to `pending`.
public enum UploadState: String, Sendable, Codable, CaseIterable {
    case pending, uploading, uploaded, failed
}

/// What kind of file a queue row carries.
public enum UploadKind: String, Sendable, Codable {
    /// The original image a provider returned.
    case image
    /// The image's metadata record (`<image_id>.json`).
    case sidecar
    /// A file made from an image by post-processing (its own catalog row with a parent).
    case derivative
}
