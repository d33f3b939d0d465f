import ImagegenCore

/// The reads the image commands browse with: tags in use, an image's version chain, and the
/// prompt-word search. Read-only; each method is one read of committed state.
public protocol ImageBrowsingStore: Sendable {
    /// The tags in use on originals (of `category` when given) with their image counts, most
    /// used first.
    func tagCounts(category: String?) throws -> [(tag: String, count: Int)]
    /// The versions of the image `imageID` belongs to, from the first to the latest.
    func versionChain(imageID: String) throws -> [ImageRecord]
    /// Images whose prompt contains every word of `query` (case and accents folded), newest
    /// first, within `filter`.
    func images(matchingPromptWords query: String, filter: ImageFilter) throws -> [ImageRecord]
}
