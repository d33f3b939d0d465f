import Catalog

/// The catalog ports a takedown works through: images (and their derivatives), the takedown
/// tables and the upload queue (object keys of what reached the cloud).
public typealias TakedownCatalog = any CatalogStore & TakedownStore & PostProcessingStore & UploadQueueStore
