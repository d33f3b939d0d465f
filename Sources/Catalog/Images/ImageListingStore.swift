/// The review gallery's reads: pages of originals with their rating, review and reservation,
/// under every filter of `ImageFilter` (review state, minimum rating, availability, a cursor).
public protocol ImageListingStore: Sendable {
    /// One page, newest first, of at most `filter.limit` images after `filter.after`. One read.
    func imagePage(_ filter: ImageFilter) throws -> ImagePage
    /// One image with its rating, review and reservation; nil when unknown. One read.
    func listedImage(_ id: String) throws -> ListedImage?
}
