import Foundation

/// An original a retention rule purges, with the files it and its derivatives have on disk.
public struct RetentionCandidate: Sendable, Codable, Equatable {
    public enum Rule: String, Sendable, Codable {
        case rejected, quarantined
    }
    public var imageID: String
    public var rule: Rule
    /// When the rule's clock started: the rejection, or the generation of a quarantined image.
    public var since: Date
    /// Relative to the data folder: the original's file and its derivatives' (sidecars are beside each).
    public var files: [String]

    enum CodingKeys: String, CodingKey {
        case rule, since, files
        case imageID = "image_id"
    }

    public init(imageID: String, rule: Rule, since: Date, files: [String]) {
        self.imageID = imageID
        self.rule = rule
        self.since = since
        self.files = files
    }
}

/// The catalog's side of the retention rules (issue 17 item 9): which held-back originals are
/// past their time, and marking one purged once its files are gone. Takedown tombstones, the
/// ledger and the audit log are never touched.
public protocol RetentionStore: Sendable {
    /// Rejected originals rejected before `rejectedBefore` and quarantined ones generated before
    /// `quarantinedBefore` (nil: that rule is off), oldest first, at most `limit`. One read.
    func retentionCandidates(rejectedBefore: Date?, quarantinedBefore: Date?, limit: Int) throws -> [RetentionCandidate]
    /// The original and its derivatives become `purged`, their prompts (and their job's) are
    /// cleared and their pending uploads dropped, in one transaction. The rows stay for the
    /// ledger and the audit trail.
    func markPurged(imageID: String, now: Date) throws
}
