import Foundation

/// A PostgreSQL catalog's address as the operator writes it (`catalog.url` or
/// `IMAGEGEN_CATALOG_URL`): `postgresql://user@host:5432/db`. A password in it is refused: the
/// config file is not a secret store, and a URL ends up in logs and process listings. The
/// password comes from `PGPASSWORD` or the secrets file (`PGPASSWORD` there).
package struct CatalogURL: Sendable, Equatable, CustomStringConvertible {
    package let text: String
    package var description: String { text }

    package init(_ text: String) throws(CatalogURLError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed),
              let scheme = components.scheme?.lowercased(), ["postgresql", "postgres"].contains(scheme) else {
            throw .notPostgres(Self.masked(trimmed))
        }
        let passwordParameter = components.queryItems?.contains { $0.name.lowercased() == "password" } ?? false
        if components.password != nil || passwordParameter {
            throw .passwordInURL(Self.masked(trimmed))
        }
        guard let host = components.host, !host.isEmpty else { throw .missingPart(Self.masked(trimmed), part: "a host") }
        guard components.path.count > 1 else { throw .missingPart(Self.masked(trimmed), part: "a database name (/db)") }
        self.text = trimmed
    }

    /// The URL with anything after `user:` up to `@` replaced, for messages about a refused URL.
    static func masked(_ text: String) -> String {
        guard let at = text.range(of: "@"), let schemeEnd = text.range(of: "://"), schemeEnd.upperBound < at.lowerBound else {
            return text.replacingOccurrences(of: #"(?i)password=[^&]*"#, with: "password=***", options: .regularExpression)
        }
        let userInfo = text[schemeEnd.upperBound..<at.lowerBound]
        let user = userInfo.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        let masked = String(text[..<schemeEnd.upperBound]) + user + (userInfo.contains(":") ? ":***" : "") + String(text[at.lowerBound...])
        return masked.replacingOccurrences(of: #"(?i)password=[^&]*"#, with: "password=***", options: .regularExpression)
    }
}

package enum CatalogURLError: Error, Sendable, CustomStringConvertible, Equatable {
    case notPostgres(String)
    case passwordInURL(String)
    case missingPart(String, part: String)

    package var description: String {
        switch self {
        case .notPostgres(let url):
            return "the catalog URL \(url) is not a PostgreSQL URL: write postgresql://user@host:5432/database "
                + "(leave catalog.url out to keep the embedded SQLite catalog)"
        case .passwordInURL(let url):
            return "the catalog URL \(url) carries a password: remove it from the URL and put it in the PGPASSWORD "
                + "environment variable or in the secrets file as PGPASSWORD (docs/scale-out.md)"
        case .missingPart(let url, let part):
            return "the catalog URL \(url) has no \(part): write postgresql://user@host:5432/database"
        }
    }
}
