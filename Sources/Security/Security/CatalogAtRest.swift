import Catalog

/// Opens the catalog file at a path, for the one question security asks before a catalog is
/// attached: does it already hold prompts sealed with a key (then a new key must not be
/// generated over them). The composition root supplies it, so security never names a store.
public typealias CatalogAtRest = @Sendable (_ catalogPath: String) throws -> any PromptRewrapStore
