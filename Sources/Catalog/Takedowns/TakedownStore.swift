import Foundation
import ImagegenCore
import Imaging

/// Persistence for takedowns (issue 17 item 7): the perceptual hash stored with each original,
/// the takedown requests with their times, and the tombstones of the images removed. Every method
/// is one committed transaction.
///
/// A takedown is committed in two steps so a killed process loses nothing: `commitTakedown` marks
/// the images taken down, drops their upload rows and records the files and objects still to
/// delete (the point of no return: from here they are never listed, published or uploaded);
/// `completeTakedown` records that the files and objects are gone. A request committed but not
/// completed is finished by `imagegen takedown resume` (or the next takedown).
public protocol TakedownStore: Sendable {
    /// Creates or upgrades the takedown tables. Idempotent; call before any other method.
    func prepareTakedowns() throws

    /// Stores (or replaces) the perceptual hash of an image.
    func recordFingerprint(imageID: String, hash: PerceptualHash) throws
    /// Stored originals with no perceptual hash yet (images from before hashes were kept, or whose
    /// hash was lost to a crash between the image's row and its hash), oldest first.
    func originalsWithoutFingerprint(limit: Int) throws -> [ImageRecord]
    /// The perceptual hash of every stored original.
    func fingerprints() throws -> [ImageFingerprint]
    /// Stored images (originals and derivatives) whose bytes have this SHA-256.
    func images(withSHA256 hex: String) throws -> [ImageRecord]

    /// Records a new request (not yet committed: nothing removed).
    func openTakedown(_ request: TakedownRecord) throws
    /// Marks `originals` and their derivatives taken down, drops their upload rows, writes the
    /// tombstones and records `cleanup` on the request.
    func commitTakedown(id: String, originals: [String], tombstones: [Tombstone], cleanup: TakedownCleanup, now: Date) throws
    /// Records the end of the request: `error` nil when every file and object is gone.
    func completeTakedown(id: String, error: String?, now: Date) throws
    func takedown(id: String) throws -> TakedownRecord?
    /// Requests, newest first.
    func takedowns(limit: Int) throws -> [TakedownRecord]

    /// The tombstone that forbids generating `template` with `seed` again, if any.
    func tombstone(template: String, seed: UInt32) throws -> Tombstone?
    /// Every tombstone's content hash and perceptual hash (to refuse a re-upload of a removed image).
    func tombstones() throws -> [Tombstone]
}

/// The perceptual hash of one stored original.
public struct ImageFingerprint: Sendable, Equatable {
    public var imageID: String
    public var contentSHA256: String
    public var hash: PerceptualHash
    public init(imageID: String, contentSHA256: String, hash: PerceptualHash) {
        self.imageID = imageID
        self.contentSHA256 = contentSHA256
        self.hash = hash
    }
}

/// What is left of an image after a takedown: enough to recognise it again (its hashes, and the
/// template and seed that made it), never its pixels.
public struct Tombstone: Sendable, Equatable, Encodable {
    public var imageID: String
    public var takedownID: String
    public var contentSHA256: String
    public var hash: PerceptualHash?
    public var template: String?
    public var seed: UInt32?

    enum CodingKeys: String, CodingKey {
        case seed, template, hash
        case imageID = "image_id", takedownID = "takedown_id", contentSHA256 = "content_sha256"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(imageID, forKey: .imageID)
        try c.encode(takedownID, forKey: .takedownID)
        try c.encode(contentSHA256, forKey: .contentSHA256)
        try c.encode(hash?.description, forKey: .hash)
        try c.encode(template, forKey: .template)
        try c.encode(seed, forKey: .seed)
    }

    public init(imageID: String, takedownID: String, contentSHA256: String, hash: PerceptualHash?, template: String?, seed: UInt32?) {
        self.imageID = imageID
        self.takedownID = takedownID
        self.contentSHA256 = contentSHA256
        self.hash = hash
        self.template = template
        self.seed = seed
    }
}

/// The files (relative to the data folder) and cloud objects a committed takedown still deletes.
public struct TakedownCleanup: Sendable, Equatable, Codable {
    public var files: [String]
    public var objectKeys: [String]
    public init(files: [String] = [], objectKeys: [String] = []) {
        self.files = files
        self.objectKeys = objectKeys
    }

    enum CodingKeys: String, CodingKey {
        case files
        case objectKeys = "object_keys"
    }
}
