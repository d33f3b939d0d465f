/// What a key rotation needs from the store: find values not yet sealed under the current key,
/// rewrite them in batches, and rebuild the keyed-hash word index. Selection is by the envelope
/// prefix of the current key (`enc:v1:<key>:`), so any store that keeps sealed text as text can
/// implement it. Rewrites are batched by the caller; each batch is one committed transaction, so
/// an interrupted rotation is resumed by running it again.
public protocol PromptRewrapStore: Sendable {
    /// Creates what rotation writes to (the word index) when the store does not have it yet.
    func prepareForPromptRewrap() throws
    /// Whether any job or image prompt is sealed (asked before a new key is generated). One read.
    func holdsEncryptedPrompts() throws -> Bool
    /// Rows per sealing key and plaintext rows, over images and jobs. One read.
    func promptKeyCensus() throws -> PromptKeyCensus
    /// Images and jobs with a value not under `keyPrefix`. One read.
    func countPromptsNotUnder(keyPrefix: String) throws -> (images: Int, jobs: Int)

    /// Up to `limit` images with a prompt not under `keyPrefix`, by id, skipping `excluding`.
    func imagePromptsNotUnder(keyPrefix: String, excluding: [String], limit: Int) throws -> [StoredImagePrompts]
    /// Writes re-sealed image prompts (and their index tokens) in one committed transaction.
    func rewrapImagePrompts(_ rewraps: [ImagePromptRewrap]) throws
    /// Up to `limit` jobs with a prompt or reference not under `keyPrefix`, by id, skipping `excluding`.
    func jobPromptsNotUnder(keyPrefix: String, excluding: [String], limit: Int) throws -> [StoredJobPrompts]
    /// Writes re-sealed job prompts and references in one committed transaction.
    func rewrapJobPrompts(_ rewraps: [StoredJobPrompts]) throws

    /// Empties the word index (search by decrypting instead). One committed transaction.
    func clearPromptWordIndex() throws
    /// Up to `limit` images (id and stored prompt) whose index tokens are not all under `keyID`,
    /// or that have none, by id, skipping `excluding`. One read.
    func imagesToReindex(keyID: String, excluding: [String], limit: Int) throws -> [StoredImagePrompts]
    /// Replaces the index tokens of each image in one committed transaction.
    func replacePromptWords(_ tokens: [(imageID: String, tokens: [String])]) throws
}
