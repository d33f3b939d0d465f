import ImagegenCore

/// Reads an image with its prompts really opened, for whoever must use them rather than show
/// them (`images show`, a derivative row that carries the prompt): where a display read shows
/// `[encrypted]` while the host is locked, this one throws, so nothing writes the placeholder
/// back as a prompt.
public protocol PromptRevealingImageStore: Sendable {
    /// The image `id` with its prompts opened; nil when there is none. Throws when a sealed
    /// prompt cannot be opened now (the host is locked). One read.
    func image(revealingPrompts id: String) throws -> ImageRecord?
}
