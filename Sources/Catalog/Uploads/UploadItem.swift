import Foundation

/// One row of the upload queue, with the catalog fields of its image that go into object metadata.
/// `id` is the queue's own key for the row, assigned by the store; it means nothing outside it.
public struct UploadItem: Sendable, Equatable, Encodable {
    public var id: Int64
    /// Relative to the data folder, e.g. `content/product/2026/01/img_x.png`.
    public var filePath: String
    public var imageID: String
    public var kind: UploadKind
    public var state: UploadState
    public var revision: Int64
    public var attempts: Int
    public var enqueuedAt: Date
    public var nextAttemptAt: Date
    public var uploadedAt: Date?
    public var objectKey: String?
    public var objectURL: String?
    public var etag: String?
    public var bytes: Int64?
    /// Lower-case hex SHA-256 of what was uploaded.
    public var sha256: String?
    public var lastError: String?
    /// From the image's catalog row (nil when the row is gone).
    public var image: ImageFields?

    /// The image fields an object's metadata is made of. No prompt: it never leaves the catalog.
    public struct ImageFields: Sendable, Equatable {
        public var category: String
        public var model: String
        public var variant: String
        public var costUSD: Double?
        public var generatedAt: Date
        public init(category: String, model: String, variant: String, costUSD: Double?, generatedAt: Date) {
            self.category = category
            self.model = model
            self.variant = variant
            self.costUSD = costUSD
            self.generatedAt = generatedAt
        }
    }

    public init(id: Int64, filePath: String, imageID: String, kind: UploadKind, state: UploadState, revision: Int64,
                 attempts: Int, enqueuedAt: Date, nextAttemptAt: Date, uploadedAt: Date?, objectKey: String?,
                 objectURL: String?, etag: String?, bytes: Int64?, sha256: String?, lastError: String?, image: ImageFields?) {
        self.id = id
        self.filePath = filePath
        self.imageID = imageID
        self.kind = kind
        self.state = state
        self.revision = revision
        self.attempts = attempts
        self.enqueuedAt = enqueuedAt
        self.nextAttemptAt = nextAttemptAt
        self.uploadedAt = uploadedAt
        self.objectKey = objectKey
        self.objectURL = objectURL
        self.etag = etag
        self.bytes = bytes
        self.sha256 = sha256
        self.lastError = lastError
        self.image = image
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, state, revision, attempts, etag, bytes, sha256
        case filePath = "file_path", imageID = "image_id", enqueuedAt = "enqueued_at", nextAttemptAt = "next_attempt_at"
        case uploadedAt = "uploaded_at", objectKey = "object_key", objectURL = "object_url", lastError = "last_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(filePath, forKey: .filePath)
        try c.encode(imageID, forKey: .imageID)
        try c.encode(kind, forKey: .kind)
        try c.encode(state, forKey: .state)
        try c.encode(revision, forKey: .revision)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(enqueuedAt, forKey: .enqueuedAt)
        try c.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try c.encode(uploadedAt, forKey: .uploadedAt)
        try c.encode(objectKey, forKey: .objectKey)
        try c.encode(objectURL, forKey: .objectURL)
        try c.encode(etag, forKey: .etag)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(lastError, forKey: .lastError)
    }
}
