import Catalog

/// The attach mechanism and the reads that open prompts live in `SQLiteCatalog+PromptProtection`;
/// this declares them as the port the host's security sees.
extension SQLiteCatalog: PromptProtectedStore {}
