import Foundation
import Catalog
import CatalogSQLite
import ContentCredentials
import ImagegenConfig
import ImagegenCore
import Operations
import Pipeline
import Security

/// The composition root: the one place that builds a host from a data folder, in one order,
/// for every entry point — the CLI, the library (`ImageGenerator`) and `imagegen serve`. Each
/// step that can fail refuses to start and says why; nothing is attached "if possible".
///
/// The order: configuration → security (secrets, master key, policy; an unusable key refuses to
/// start) → runtime (leftovers swept, plugins scanned) → catalog → prompt protection attached to
/// the catalog (fail closed: prompts are never stored in plain text) → templates, screened by
/// the content policy → generation service → upload queue.
///
/// This is the only code outside the storage targets that names the concrete catalogs: SQLite in
/// the data folder by default, PostgreSQL when `catalog.url` or `IMAGEGEN_CATALOG_URL` names one.
public final class HostComposition: Sendable {
    public let paths: HostPaths
    public let configuration: Configuration
    public let log: Log
    public let security: HostSecurity
    public let runtime: HostRuntime
    /// The catalog, prompt protection attached, as the entry points use it (its ports only).
    public var catalog: EntryCatalog { store }
    let store: CompositionCatalog
    /// Where the catalog is (the SQLite file, or the PostgreSQL URL without password).
    public let catalogLocation: CatalogLocation
    public let templates: TemplateStore
    public let service: GenerationService
    /// The upload queue when a `storage` section is configured; nil in local-only mode.
    public let uploads: UploadQueue?

    /// - Parameters:
    ///   - configuration: overrides the config file (the library's `settings`); loaded from
    ///     `paths.config` when nil.
    ///   - settleMilliseconds: how old a plugin file must be before it loads (serve watches a
    ///     live folder; one-shot commands load what is there).
    public static func open(paths: HostPaths, log: Log, configuration override: Configuration? = nil,
                            settleMilliseconds: Int = 0) throws(CompositionError) -> HostComposition {
        let configuration: Configuration
        if let override { configuration = override } else { configuration = try loadConfiguration(paths) }
        let security: HostSecurity
        do {
            security = try HostSecurity.open(paths: paths, configuration: configuration, log: log,
                                             catalogAtRest: catalogAtRest)
        } catch {
            throw .configuration(error)
        }
        let contentCredentials = try openContentCredentials(configuration, paths: paths, security: security, log: log)
        let runtime = HostRuntime(paths: paths, configuration: configuration, log: log, security: security,
                                  settleMilliseconds: settleMilliseconds)
        if !FileManager.default.fileExists(atPath: paths.plugins) {
            log.warning("the plugins folder \(paths.plugins) does not exist: no provider is loaded. "
                        + "Run `make plugins`, pass --plugins DIR, or create it and drop plugins in.")
        }
        runtime.plugins.rescan()
        runtime.warnAboutUnusedProviderSections()
        let location = try CatalogLocation.resolve(paths: paths, configuration: configuration)
        let catalog: CompositionCatalog
        do {
            catalog = try makeCatalog(location, security: security)
        } catch {
            throw .catalog(path: location.description, reason: "\(error)")
        }
        do {
            try security.attach(catalog)
        } catch {
            throw .promptProtection("\(error)")
        }
        let templates = TemplateStore(folder: TemplateStore.folder(configuration: configuration, paths: paths), catalog: catalog,
                                      screen: security.templateScreen(catalog: catalog))
        let categories = TemplateCategoryCache(templates: templates)
        let service = GenerationService(runtime: runtime, catalog: catalog, takedowns: catalog,
                                        extraCategories: { categories.categories() }, contentCredentials: contentCredentials)
        // Lazy: the detector starts on the first image to check (OutputCheck+Start.swift).
        service.useOutputCheck(OutputCheck.start(configuration.outputCheck, dataDirectory: paths.data))
        do {
            try FingerprintRecorder.attach(to: service, catalog: catalog)
        } catch {
            throw .catalog(path: paths.catalog, reason: "cannot set up the takedown tables: \(error)")
        }
        let uploads: UploadQueue?
        do {
            uploads = try UploadQueue.attach(to: service, catalog: catalog, file: paths.config)
        } catch let error as ConfigurationError {
            throw .configuration(error)
        } catch {
            throw .catalog(path: location.description, reason: "cannot set up the upload queue: \(error)")
        }
        return HostComposition(paths: paths, configuration: configuration, log: log, security: security, runtime: runtime,
                               catalog: catalog, location: location, templates: templates, service: service, uploads: uploads)
    }

    /// The C2PA signer when `labelling.c2pa` is enabled: the library, certificate and key are
    /// loaded and tried now, so a host that would publish unsigned images does not start.
    private static func openContentCredentials(_ configuration: Configuration, paths: HostPaths, security: HostSecurity,
                                               log: Log) throws(CompositionError) -> ContentCredentialsSigner? {
        do {
            guard let settings = try C2PASettings.load(from: configuration, file: paths.config) else { return nil }
            let signer = try ContentCredentialsSigner.open(settings, file: paths.config) { security.secretSource.secret(named: $0) }
            log.info("C2PA signing on (\(signer.algorithm.rawValue), \(signer.libraryPath), c2pa-rs \(signer.libraryVersion))")
            return signer
        } catch {
            throw .configuration(error)
        }
    }

    private static func loadConfiguration(_ paths: HostPaths) throws(CompositionError) -> Configuration {
        do {
            return try Configuration.load(path: paths.config)
        } catch {
            throw .configuration(error)
        }
    }

    private init(paths: HostPaths, configuration: Configuration, log: Log, security: HostSecurity, runtime: HostRuntime,
                 catalog: CompositionCatalog, location: CatalogLocation, templates: TemplateStore, service: GenerationService,
                 uploads: UploadQueue?) {
        self.paths = paths
        self.configuration = configuration
        self.log = log
        self.security = security
        self.runtime = runtime
        self.store = catalog
        self.catalogLocation = location
        self.templates = templates
        self.service = service
        self.uploads = uploads
    }

    /// The runner lock for this data folder, when this process may run jobs: nil when another
    /// process holds it, or when the host is locked (it cannot read the prompts of queued jobs,
    /// so it runs none; they wait for the key).
    public func runnerLock() -> RunnerLock? {
        security.prompts.canRead ? RunnerLock(dataDirectory: paths.data) : nil
    }

    /// Derivative rendering for the images this process stores (nil without libvips or when
    /// post-processing is off).
    public func postProcessingQueue() throws(CompositionError) -> PostProcessingQueue? {
        do {
            return try PostProcessingQueue.attach(to: service, catalog: store)
        } catch {
            throw .catalog(path: catalogLocation.description, reason: "cannot set up post-processing: \(error)")
        }
    }
}
