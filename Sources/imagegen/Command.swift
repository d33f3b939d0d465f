import Foundation
import Composition
import Host
import ImagegenConfig
import ImagegenCore
import Pipeline
import Security

/// A subcommand. Each lives in its own file under Commands/ and is listed in `main.swift`.
protocol Command {
    static var name: String { get }
    static var summary: String { get }
    static var options: Set<String> { get }
    static var flags: Set<String> { get }
    init()
    func run(_ args: Arguments, _ context: CommandContext) async throws(CLIError) -> ExitCode
    /// Whether this invocation may create a missing data folder. Only commands that store
    /// something do; the others read an empty stand-in instead of leaving a `data/` (and a
    /// master key) in whatever folder they were run from.
    static func createsDataFolder(_ positionals: [String]) -> Bool
}

extension Command {
    static func createsDataFolder(_ positionals: [String]) -> Bool { false }
}

/// What commands share: the parsed global options and a lazily opened host.
final class CommandContext {
    let paths: HostPaths
    let log: Log
    private var opened: HostRuntime?

    init(_ args: Arguments, paths: HostPaths) {
        self.paths = paths
        log = Log(minimum: args.flags.contains("verbose") ? .debug : (args.flags.contains("quiet") ? .error : .warning))
    }

    private var openedGenerator: ImageGenerator?
    private var openedCatalog: EntryCatalog?

    /// The library's generator (runtime + catalog + an in-process runner when no server runs).
    func generator() throws(CLIError) -> ImageGenerator {
        if let openedGenerator { return openedGenerator }
        do {
            let config = try HostConfiguration.load(path: paths.config)
            let g = try ImageGenerator(configuration: .init(paths: paths, settings: config, log: log))
            openedGenerator = g
            return g
        } catch let e as ConfigurationError {
            throw .usage(e.description)
        } catch let e as CompositionError {
            if case .configuration(let c) = e { throw .usage(c.description) }
            throw .failed(e.description, .failure)
        } catch {
            throw .failed("cannot open the host: \(error)", .failure)
        }
    }

    /// The catalog, with prompts sealed and opened by the host's key (the generator's own
    /// catalog when it is open, so one process holds one connection).
    func catalog() throws(CLIError) -> EntryCatalog {
        if let openedCatalog { return openedCatalog }
        if let generator = openedGenerator {
            let c = generator.composition.catalog
            openedCatalog = c
            return c
        }
        let security = try self.security()
        do {
            let c = try HostComposition.openCatalog(paths: paths, security: security)
            openedCatalog = c
            return c
        } catch {
            throw .failed("cannot open the catalog \(paths.catalog): \(error)", .failure)
        }
    }

    private var openedSecurity: HostSecurity?

    /// The security services (key ring, audit, policy) without loading the plugins.
    func security() throws(CLIError) -> HostSecurity {
        if let openedGenerator { return openedGenerator.service.runtime.security }
        if let opened { return opened.security }
        if let openedSecurity { return openedSecurity }
        do {
            let config = try HostConfiguration.load(path: paths.config)
            let s = try HostSecurity.open(paths: paths, configuration: config, log: log, catalogAtRest: HostComposition.catalogAtRest)
            log.setRedaction { [redaction = s.redaction] in redaction.redact($0) }
            openedSecurity = s
            return s
        } catch {
            throw .usage(error.description)
        }
    }

    func catalogCall<T>(_ body: () throws -> T) throws(CLIError) -> T {
        do { return try body() } catch let e as CLIError { throw e } catch {
            throw .failed("catalog: \(error)", .failure)
        }
    }

    func runtime() throws(CLIError) -> HostRuntime {
        if let openedGenerator { return openedGenerator.service.runtime }
        if let opened { return opened }
        do {
            let r = try HostRuntime.open(paths: paths, log: log, catalogAtRest: HostComposition.catalogAtRest)
            opened = r
            return r
        } catch {
            throw .usage(error.description)
        }
    }
}
