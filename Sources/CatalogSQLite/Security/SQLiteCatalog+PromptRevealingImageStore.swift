import Catalog

/// `image(revealingPrompts:)` lives with the rest of prompt protection
/// (`SQLiteCatalog+PromptProtection.swift`).
extension SQLiteCatalog: PromptRevealingImageStore {}
