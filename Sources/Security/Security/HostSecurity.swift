import Foundation
import Synchronization
import Catalog
import Crypto
import ImagegenConfig
import ImagegenCore
import PluginHost

/// The host's security services, built once from the config and the environment and held by
/// `HostRuntime`: secrets for plugins, redaction, the master key and prompt protection, the
/// audit trail, the content policy and quotas. Every hook of the pipeline goes through it:
///
/// | where | what |
/// |---|---|
/// | `HostRuntime` | plugins' secrets (`secretSource`), log redaction, plugin load/refusal/swap audit |
/// | the catalog, `ContentStore` | prompts sealed on write, opened on read (`attach`) |
/// | `GenerationService.enqueue` | policy, quotas, locked check, generation/refusal audit (`admitEnqueue`) |
/// | `JobExecution` | policy and provider quota before submit (`admitSubmit`), redaction, settle, filter audit (`jobFinished`) |
/// | `TemplateStore` | templates screened by the policy at load (`screen`) |
public final class HostSecurity: Sendable {
    public let settings: SecuritySettings
    public let secretStore: SecretStore
    public let redaction: LiveRedaction
    /// What plugins' `get_secret` and `${secret:NAME}` read.
    public let secretSource: any SecretSource
    public let keyRing: KeyRing?
    /// Where the key came from (for `imagegen keys status`), or nil when locked.
    public let keySource: String?
    public let prompts: PromptProtection
    public let audit: AuditTrail
    public let policy: ContentPolicy
    public let quotas: QuotaEnforcer
    public let quotaUsage: AttachableQuotaUsageStore
    public let log: Log
    /// Lines an operator should see when a long-running host starts (`imagegen serve`).
    public let notices: [String]
    public let budgets: BudgetSettings
    public let state = Mutex(State())

    public struct State {
        var catalog: (any CatalogStore)?
        /// Provider quota admitted for a job being submitted, settled when it ends.
        public var providerGrants: [String: QuotaGrant] = [:]
        /// API-token quota admitted when jobs were queued (by the server), settled when they end.
        public var tokenGrants: [String: QuotaGrant] = [:]
    }

    init(settings: SecuritySettings, secretStore: SecretStore, redaction: LiveRedaction, secretSource: any SecretSource,
         keyRing: KeyRing?, keySource: String?, prompts: PromptProtection, audit: AuditTrail, policy: ContentPolicy,
         quotas: QuotaEnforcer, quotaUsage: AttachableQuotaUsageStore, log: Log, notices: [String], budgets: BudgetSettings) {
        self.settings = settings
        self.secretStore = secretStore
        self.redaction = redaction
        self.secretSource = secretSource
        self.keyRing = keyRing
        self.keySource = keySource
        self.prompts = prompts
        self.audit = audit
        self.policy = policy
        self.quotas = quotas
        self.quotaUsage = quotaUsage
        self.log = log
        self.notices = notices
        self.budgets = budgets
    }

    /// Reads the security config, the secrets and the master key. A key or secrets file that is
    /// configured but unusable (loose mode, bad encoding, wrong owner) refuses to start, saying
    /// why; a missing configured key file leaves the host locked (see `MasterKeyResolution`).
    ///
    /// `secretSource` replaces the secret store for plugins (tests pass fixed secrets); its values
    /// are redacted too. `catalogAtRest` opens the catalog file, if there is one, to ask whether it
    /// already holds encrypted prompts before a key is generated; the composition root passes it
    /// (without it only the audit log is asked).
    public static func open(paths: HostPaths, configuration: Configuration, log: Log,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             secretSource: (any SecretSource)? = nil,
                             catalogAtRest: CatalogAtRest? = nil) throws(ConfigurationError) -> HostSecurity {
        let settings = try SecuritySettings.from(configuration, paths: paths)
        let store: SecretStore
        do {
            store = try SecretStore.load(environment: environment, secretsFile: settings.secretsFile)
        } catch {
            throw .security("\(error)")
        }
        let resolution: MasterKeyResolution
        do {
            resolution = try MasterKeyResolution.resolve(
                environment: environment, configuredKeyFile: settings.keyFile, dataDirectory: paths.data,
                protectedDataExists: { protectedData(paths: paths, auditFile: settings.auditFile, catalogAtRest: catalogAtRest) },
                log: log)
        } catch {
            throw .security("\(error)")
        }
        let policy: ContentPolicy
        do {
            policy = try ContentPolicy(configuration: settings.policy)
        } catch {
            throw .security("\(error)")
        }
        return assemble(settings: settings, store: store, resolution: resolution, policy: policy, paths: paths,
                        configuration: configuration, environment: environment, secretSource: secretSource, log: log)
    }

    /// For a runtime built without `open` (tests, benchmarks): `open`, or on failure a locked host
    /// with the default policy that says why in its log.
    public static func openOrLocked(paths: HostPaths, configuration: Configuration, log: Log,
                                     environment: [String: String] = ProcessInfo.processInfo.environment,
                                     secretSource: (any SecretSource)? = nil,
                                     catalogAtRest: CatalogAtRest? = nil) -> HostSecurity {
        do {
            return try open(paths: paths, configuration: configuration, log: log, environment: environment,
                            secretSource: secretSource, catalogAtRest: catalogAtRest)
        } catch {
            log.error("security: \(error); prompts stay locked", source: "security")
            // try?: (this and the two below) `error`, logged above, already names what failed; a locked host falls back to defaults for the rest
            let settings = (try? SecuritySettings.from(configuration, paths: paths))
                ?? SecuritySettings(keyFile: nil, secretsFile: nil, auditFile: paths.data + "/audit.log",
                                    policy: ContentPolicyConfiguration(), quotas: QuotaConfiguration())
            // try?: as above, a locked host without its secrets file
            let store = (try? SecretStore.load(environment: environment)) ?? SecretStore(values: [:])
            // try?: as above; the default configuration has no rules to reject.
            let policy = (try? ContentPolicy(configuration: settings.policy)) ?? (try! ContentPolicy())
            return assemble(settings: settings, store: store, resolution: .locked(reason: "\(error)"), policy: policy,
                            paths: paths, configuration: configuration, environment: environment,
                            secretSource: secretSource, log: log)
        }
    }

    private static func assemble(settings: SecuritySettings, store: SecretStore, resolution: MasterKeyResolution,
                                 policy: ContentPolicy, paths: HostPaths, configuration: Configuration,
                                 environment: [String: String], secretSource: (any SecretSource)?, log: Log) -> HostSecurity {
        var notices: [String] = []
        let ring: KeyRing?
        let keySource: String?
        let prompts: PromptProtection
        switch resolution {
        case .keyed(let keyRing, let source):
            ring = keyRing
            keySource = source
            prompts = .encrypting(keyRing, search: settings.search)
            if source.hasSuffix("(in the data folder)") {
                notices.append("the master key (\(keyRing.current.id)) is stored in the data folder: back it up separately and, "
                               + "for production, move it outside (encryption.key_file or \(KeyRingLoader.keyVariable))")
            }
        case .locked(let reason):
            ring = nil
            keySource = nil
            prompts = PromptProtection(state: .locked(reason: reason), search: settings.search)
            notices.append("prompts are locked: \(reason)")
        }
        let extra = (secretSource?.knownValues ?? []).enumerated().map { (name: "secret \($0.offset + 1)", value: $0.element) }
        let redaction = LiveRedaction(store: store, keyRing: ring, extra: extra)
        if !redaction.skippedNames.isEmpty {
            log.warning("secrets too short to be masked in logs (fewer than \(SecretRedactor.minimumLength) characters): "
                        + redaction.skippedNames.joined(separator: ", "), source: "security")
        }
        let source = secretSource ?? HostSecretSource(store: store, environment: environment, redaction: redaction)
        let audit = AuditTrail.open(path: settings.auditFile, keyRing: ring, redaction: redaction, hostLog: log,
                                    lockedReason: prompts.lockedReason)
        let usage = AttachableQuotaUsageStore()
        let timeZone = TimeZone.configured(configuration.budgets.timeZone) ?? .utc
        let quotas = QuotaEnforcer(configuration: settings.quotas, timeZone: timeZone, store: usage, log: log)
        return HostSecurity(settings: settings, secretStore: store, redaction: redaction, secretSource: source,
                            keyRing: ring, keySource: keySource, prompts: prompts, audit: audit, policy: policy,
                            quotas: quotas, quotaUsage: usage, log: log, notices: notices, budgets: configuration.budgets)
    }

    /// What in the data folder already depends on a key, or nil: asked before a key is generated.
    /// An audit log or catalog that exists but cannot be checked counts as depending on one: a
    /// new key would leave it unverifiable or its prompts unreadable, so the host stays locked
    /// and says why rather than guessing.
    public static func protectedData(paths: HostPaths, auditFile: String, catalogAtRest: CatalogAtRest?) -> String? {
        if FileManager.default.fileExists(atPath: auditFile) {
            do {
                let size = try FileManager.default.attributesOfItem(atPath: auditFile)[.size] as? NSNumber
                if let size, size.intValue > 0 { return "the audit log \(auditFile) is signed with it" }
            } catch {
                return "the audit log \(auditFile) could not be checked (\(error)) and may be signed with it"
            }
        }
        guard FileManager.default.fileExists(atPath: paths.catalog), let catalogAtRest else { return nil }
        do {
            let holds = try catalogAtRest(paths.catalog).holdsEncryptedPrompts()
            return holds ? "the catalog \(paths.catalog) holds prompts encrypted with it" : nil
        } catch {
            return "the catalog \(paths.catalog) could not be checked for encrypted prompts (\(error))"
        }
    }

    /// Connects the catalog: its prompts are sealed and opened from now on, daily quota counts
    /// are kept in it, and a change of the configured budgets since the last start is audited.
    public func attach(_ catalog: any CatalogStore & PromptProtectedStore & QuotaUsageStore & SecurityStateStore) throws {
        try catalog.protectPrompts(with: prompts)
        quotaUsage.attach(catalog)
        state.withLock { $0.catalog = catalog }
        recordBudgetChange(in: catalog)
    }

    public var catalog: (any CatalogStore)? { state.withLock { $0.catalog } }

    /// Masks every secret in `text`.
    public func redact(_ text: String) -> String { redaction.redact(text) }
}
