import Crypto
import ImagegenCore

/// A store whose prompts are sealed at rest once the host's key is known. The host attaches the
/// protection after opening the store (the key ring is resolved separately), so the store itself
/// never reads keys; a store without protection stores and returns prompts as they are.
public protocol PromptProtectedStore: Sendable {
    /// From now on prompts are sealed on write and opened on read. Also prepares what the store
    /// needs for it (the word index, scrubbing rewritten rows), committed before it returns.
    func protectPrompts(with protection: PromptProtection) throws
    /// The protection attached, or nil before `protectPrompts(with:)`.
    var promptProtection: PromptProtection? { get }
    /// Whether a job's prompts can be opened with the keys held now: the runner never sends
    /// `[encrypted]` to a provider. False for an unknown job. One read.
    func jobPromptIsReadable(_ id: String) throws -> Bool
    /// One image with its prompts opened, or an error saying why they cannot be (`images show`);
    /// nil for an unknown image. One read.
    func image(revealingPrompts id: String) throws -> ImageRecord?
}
