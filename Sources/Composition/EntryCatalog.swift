import Catalog
import CatalogSQLite
import ImagegenCore
import Pipeline
import Security

/// The catalog as the entry points (the CLI, serve, the library) hold it: every port they use,
/// and nothing of the concrete store. Domain code takes the few protocols it needs instead.
public typealias EntryCatalog = any CatalogStore & GenerationRecordStore & ExperimentStore & ImageBrowsingStore
    & PromptRevealingImageStore & PromptRewrapStore & TemplateHistoryStore & ReservationStore & JobOverviewStore
    & PostProcessingStore & UploadQueueStore & CatalogSnapshotting & SlotRunStoreOpening & AlertStoreOpening
    & ReviewStore & ImageListingStore & UserStore & TakedownStore

extension HostComposition {
    /// Opens the catalog of `paths` with the prompt protection of `security` attached (fail
    /// closed: a catalog that cannot seal prompts is not returned). For the commands that need
    /// the catalog without the plugins; `open` attaches it the same way.
    public static func openCatalog(paths: HostPaths, security: HostSecurity) throws -> EntryCatalog {
        let catalog = try SQLiteCatalog(path: paths.catalog)
        try security.attach(catalog)
        return catalog
    }

    /// Opens a catalog file as it is at rest (no protection attached), for the security
    /// services' prompt re-sealing: what `HostSecurity.open` and `HostRuntime.open` are given.
    public static let catalogAtRest: CatalogAtRest = { try SQLiteCatalog(path: $0) }

    /// The file format of this host's catalog: what a backup restore checks a catalog file against.
    public static var catalogFileFormat: any CatalogFileFormat { SQLiteCatalogFileFormat() }
}
