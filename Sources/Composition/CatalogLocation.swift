import Foundation
import CatalogPostgres
import ImagegenConfig
import ImagegenCore

/// Where the host's catalog lives: the embedded SQLite file of the data folder (the default),
/// or a PostgreSQL database several hosts share, named by `catalog: { url: … }` in the config
/// or `IMAGEGEN_CATALOG_URL` (the variable wins, so one config serves a test host too).
public enum CatalogLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public static let urlVariable = "IMAGEGEN_CATALOG_URL"

    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return url
        }
    }

    /// Reads the `catalog` section (only `url`) and the environment. A URL with a password, or
    /// not a PostgreSQL URL, is refused with what to do.
    public static func resolve(paths: HostPaths, configuration: Configuration,
                               environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(CompositionError) -> CatalogLocation {
        var configured: String?
        switch configuration.sections["catalog"] {
        case nil, .null?: break
        case .object(let section)?:
            for key in section.keys.sorted() where key != "url" {
                throw .catalog(path: "catalog.\(key)", reason: "unknown key; the catalog section has only `url` "
                               + "(postgresql://user@host:5432/db; the password comes from PGPASSWORD or the secrets file)")
            }
            if let value = section["url"] {
                guard let text = value.string else { throw .catalog(path: "catalog.url", reason: "must be a string") }
                configured = text
            }
        default:
            throw .catalog(path: "catalog", reason: "must be an object such as { url: \"postgresql://user@host:5432/db\" }")
        }
        let chosen = environment[urlVariable].flatMap { $0.isEmpty ? nil : $0 } ?? configured
        guard let chosen else { return .sqlite(path: paths.catalog) }
        do {
            return .postgres(url: try CatalogURL(chosen).text)
        } catch {
            throw .catalog(path: environment[urlVariable]?.isEmpty == false ? urlVariable : "catalog.url", reason: error.description)
        }
    }
}
