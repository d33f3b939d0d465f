import Catalog

/// What a post-processing run needs of the catalog: the original (its record, and its prompts
/// really opened, since derivative rows carry them) and the runs and derivatives themselves.
public typealias PostProcessingCatalog = any CatalogStore & PostProcessingStore & PromptRevealingImageStore
