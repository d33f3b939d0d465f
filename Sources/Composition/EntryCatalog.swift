import Foundation
import Catalog
import CatalogSQLite
import CatalogPostgres
import ImagegenConfig
import ImagegenCore
import Pipeline
import Security

/// The catalog as the entry points (the CLI, serve, the library) hold it: every port they use,
/// and nothing of the concrete store. Domain code takes the few protocols it needs instead.
public typealias EntryCatalog = any CatalogStore & GenerationRecordStore & ExperimentStore & ImageBrowsingStore
    & PromptRevealingImageStore & PromptRewrapStore & TemplateHistoryStore & ReservationStore & JobOverviewStore
    & PostProcessingStore & UploadQueueStore & CatalogSnapshotting & SlotRunStoreOpening & AlertStoreOpening
    & ReviewStore & ImageListingStore & UserStore & TakedownStore & PersonalDataStore & RetentionStore
    & SingletonLockOpening & HostRegistry & QuarantineStore

/// The catalog as the composition holds it: the entry points' ports plus those security attaches
/// to (prompt sealing, quota counts, remembered state). Both concrete catalogs are one.
typealias CompositionCatalog = any CatalogStore & GenerationRecordStore & ExperimentStore & ImageBrowsingStore
    & PromptRevealingImageStore & PromptRewrapStore & TemplateHistoryStore & ReservationStore & JobOverviewStore
    & PostProcessingStore & UploadQueueStore & CatalogSnapshotting & SlotRunStoreOpening & AlertStoreOpening
    & ReviewStore & ImageListingStore & UserStore & TakedownStore & PersonalDataStore & RetentionStore
    & SingletonLockOpening & HostRegistry & PromptProtectedStore & QuotaUsageStore & SecurityStateStore & QuarantineStore

extension HostComposition {
    /// Opens the catalog of `paths` with the prompt protection of `security` attached (fail
    /// closed: a catalog that cannot seal prompts is not returned). For the commands that need
    /// the catalog without the plugins; `open` attaches it the same way.
    /// - Parameter configuration: where `catalog.url` is read from; loaded from `paths.config` when nil.
    public static func openCatalog(paths: HostPaths, security: HostSecurity,
                                   configuration: Configuration? = nil) throws -> EntryCatalog {
        let location = try CatalogLocation.resolve(paths: paths, configuration: try configuration ?? Configuration.load(path: paths.config))
        let catalog = try makeCatalog(location, security: security)
        try security.attach(catalog)
        return catalog
    }

    /// Connects the catalog at `location`. A PostgreSQL password comes from the secrets file
    /// (`PGPASSWORD` there) or libpq's own `PGPASSWORD` variable, and is taught to the log
    /// redaction either way.
    static func makeCatalog(_ location: CatalogLocation, security: HostSecurity) throws -> CompositionCatalog {
        switch location {
        case .sqlite(let path):
            return try SQLiteCatalog(path: path)
        case .postgres(let url):
            let stored = security.secretStore.value(named: Self.passwordSecret).flatMap { $0.isEmpty ? nil : $0 }
            if let password = stored ?? ProcessInfo.processInfo.environment[Self.passwordSecret], !password.isEmpty {
                security.redaction.learn(name: Self.passwordSecret, value: password)
            }
            return try PostgresCatalog(url: url, password: stored)
        }
    }

    /// The secret (and libpq variable) a PostgreSQL catalog's password is read from.
    public static let passwordSecret = "PGPASSWORD"

    /// Opens a catalog file as it is at rest (no protection attached), for the security
    /// services' prompt re-sealing: what `HostSecurity.open` and `HostRuntime.open` are given.
    public static let catalogAtRest: CatalogAtRest = { try SQLiteCatalog(path: $0) }

    /// The file format of this host's catalog: what a backup restore checks a catalog file against.
    public static var catalogFileFormat: any CatalogFileFormat { SQLiteCatalogFileFormat() }
}
