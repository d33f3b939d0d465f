import Foundation
import ImagegenJSON

/// How `imagegen images list --prompt-word` finds prompts without storing them in plaintext.
public enum PromptSearchMode: String, Sendable, Codable, CaseIterable {
    /// A keyed-hash word index next to the ciphertext: indexed, exact words only; reveals which
    /// images share words (docs/security.md §6).
    case index
    /// Decrypt every candidate row and match in memory: reveals nothing at rest, costs a
    /// decryption per row.
    case decrypt
}
